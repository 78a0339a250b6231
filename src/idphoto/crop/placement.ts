/**
 * Where the head goes on the photo: the scale that brings chin-to-crown into the spec's band, and the
 * position that puts the crown margin and the eye line in theirs, the face centred across. The result
 * is the affine map from the measured image to the photo.
 */
import { similarity, type Affine } from '../affine.js';
import type { PhotoGeometry } from '../geometry.js';
import type { CrownRule, Range } from '../specs.js';
import type { HeadMeasure } from './head.js';

export interface Placement {
  /** Measured image pixel -> photo pixel. */
  readonly transform: Affine;
  /** Photo pixels per image pixel. */
  readonly scale: number;
  /** Chin to crown (by the spec's crown rule) on the photo, in pixels. */
  readonly headPx: number;
  /** Crown and eye line from the photo's top edge, in pixels. */
  readonly crownY: number;
  readonly eyesY: number;
  /** Rules the placement could not meet together (the report checks them again on the result). */
  readonly conflicts: readonly string[];
}

/** Without a head band: chin to crown takes this share of the photo's height (the studio convention's middle). */
const DEFAULT_HEAD_SHARE = 0.6;
/** Without a crown-margin or eye-line rule: the space above the crown, as a share of the space the head leaves free (the rest goes below the chin). */
const TOP_SHARE = 0.35;

/**
 * A picture too short below the head moves the head down at most this share of the way from the preferred position
 * to the lowest the rules allow: a quarter of the rules' range stays as margin for the measurement's own error.
 */
const MAX_SHIFT_SHARE = 0.5;

const middle = (r: Range): number => (r.min + r.max) / 2;

function intersect(a: Range, b: Range): Range | undefined {
  const min = Math.max(a.min, b.min);
  const max = Math.min(a.max, b.max);
  return min <= max ? { min, max } : undefined;
}

/** Where a horizontal edge of the picture (y = `edgeY` in the image) crosses the photo's centre column, as a photo y. */
function edgeAtCentre(transform: Affine, edgeY: number, centreX: number): number {
  const [a, b, c, d, e, f] = transform;
  const t = (centreX - b * edgeY - c) / a;
  return d * t + e * edgeY + f;
}

/**
 * `picture`, the measured image (its height): where the picture ends above the photo's bottom edge, the head moves down
 * (up to MAX_SHIFT_SHARE of the way to the lowest the rules allow), so that less of the person is continued past the
 * picture; a crown cut off by the picture's top edge moves down only while that edge stays above the photo.
 */
export function placeHead(head: HeadMeasure, crown: CrownRule, photo: PhotoGeometry, picture?: { readonly height: number }): Placement {
  const crownAboveEyes = crown === 'hair' ? head.hairAboveEyes : head.skullAboveEyes;
  const measured = crownAboveEyes + head.chinBelowEyes;
  const headPx = photo.head ? middle(photo.head) : DEFAULT_HEAD_SHARE * photo.height;
  const scale = headPx / measured;
  const eyesBelowCrown = crownAboveEyes * scale;
  const conflicts: string[] = [];

  // Every rule as a range of crown positions (from the top edge); the chin stays on the photo.
  const rules: { name: string; range: Range }[] = [{ name: 'chin on the photo', range: { min: 0, max: photo.height - headPx } }];
  if (photo.crownMargin) rules.push({ name: 'crown margin', range: photo.crownMargin });
  if (photo.eyesFromTop) rules.push({ name: 'eye line', range: { min: photo.eyesFromTop.min - eyesBelowCrown, max: photo.eyesFromTop.max - eyesBelowCrown } });
  let feasible: Range = { min: -Infinity, max: Infinity };
  for (const rule of rules) {
    const next = intersect(feasible, rule.range);
    if (next) feasible = next;
    else conflicts.push(`the ${rule.name} cannot be met together with the rules before it at this head height`);
  }
  // With a rule of its own the middle of what the rules allow (the most margin either way); else the studio's share.
  const preferred = photo.crownMargin || photo.eyesFromTop ? middle(feasible) : Math.min(Math.max(TOP_SHARE * (photo.height - headPx), feasible.min), feasible.max);
  const at = (crownY: number): Affine => similarity(head.eyes, -head.roll, scale, { x: photo.width / 2, y: crownY + eyesBelowCrown });
  let crownY = preferred;
  if (picture) {
    const centre = photo.width / 2;
    const short = photo.height - edgeAtCentre(at(preferred), picture.height, centre);
    const room = head.crownCutOff ? -edgeAtCentre(at(preferred), 0, centre) : Infinity;
    crownY = preferred + Math.max(0, Math.min(short, (feasible.max - preferred) * MAX_SHIFT_SHARE, room));
  }
  return { transform: at(crownY), scale, headPx, crownY, eyesY: crownY + eyesBelowCrown, conflicts };
}
