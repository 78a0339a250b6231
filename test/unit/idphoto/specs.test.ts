import { describe, expect, it } from 'vitest';
import { mmToPx, photoGeometry, pxToMm } from '../../../src/idphoto/geometry.js';
import { SPECS, findSpec } from '../../../src/idphoto/specs.js';

const geometry = (id: string) => photoGeometry(findSpec(id)!);

describe('the spec catalogue', () => {
  it('has every spec the tool promises, each with a stable id, both names and a source', () => {
    const required = [
      'cn-1inch',
      'cn-1inch-small',
      'cn-1inch-large',
      'cn-2inch',
      'cn-2inch-small',
      'cn-2inch-large',
      'cn-passport',
      'cn-id-card',
      'cn-visa-digital',
      'us-passport',
      'us-visa',
      'us-dv-digital',
      'uk-passport',
      'schengen-visa',
      'de-passport',
      'jp-passport',
      'jp-visa',
      'ca-passport',
      'kr-passport',
      'in-passport',
    ];
    for (const id of required) expect(findSpec(id), id).toBeDefined();
    expect(new Set(SPECS.map((s) => s.id)).size).toBe(SPECS.length);
    for (const s of SPECS) {
      expect(s.id, s.id).toMatch(/^[a-z0-9]+(-[a-z0-9.]+)*$/);
      expect(s.name.en.length * s.name.zh.length, s.id).toBeGreaterThan(0);
      expect(s.sources.length, s.id).toBeGreaterThan(0);
      expect(
        s.backgrounds.every((b) => /^#[0-9a-f]{6}$/.test(b)),
        s.id,
      ).toBe(true);
    }
  });

  it('keeps both values wherever its sources conflict', () => {
    for (const s of SPECS.filter((s) => s.status === 'conflict')) {
      expect(s.conflicts?.length, s.id).toBeGreaterThan(0);
      for (const c of s.conflicts!) expect(c.values.length, `${s.id} ${c.rule}`).toBeGreaterThanOrEqual(2);
    }
  });

  it('measures the crown as each country does: the hair in the US, China and Japan, the skull in the UK and Germany', () => {
    for (const id of ['us-passport', 'cn-passport', 'jp-passport']) expect(findSpec(id)!.crown, id).toBe('hair');
    for (const id of ['uk-passport', 'de-passport']) expect(findSpec(id)!.crown, id).toBe('skull');
  });
});

describe('spec geometry', () => {
  it('gives the studio sizes their customary pixels at 300 dpi', () => {
    const sizes: Record<string, [number, number]> = {
      'cn-1inch': [295, 413],
      'cn-1inch-small': [260, 378],
      'cn-1inch-large': [390, 567],
      'cn-2inch': [413, 579],
      'cn-2inch-small': [413, 531],
      'cn-2inch-large': [413, 626],
    };
    for (const [id, [w, h]] of Object.entries(sizes)) expect([geometry(id).width, geometry(id).height], id).toEqual([w, h]);
  });

  it('keeps the ID card at its own 350 dpi, so 358x441 px prints at 26x32 mm (at 300 dpi it would print 16 % too large)', () => {
    const card = geometry('cn-id-card');
    expect([card.width, card.height, card.dpi]).toEqual([358, 441, 350]);
    expect(pxToMm(card.height, card.dpi)).toBeCloseTo(32, 0);
    expect(pxToMm(card.height, 300) / 32).toBeCloseTo(1.17, 2);
  });

  it('turns the US rules into pixels: 2x2 in at 300 dpi, head 1 to 1 3/8 in, eyes 1 1/8 to 1 3/8 in above the bottom', () => {
    const us = geometry('us-passport');
    expect([us.width, us.height]).toEqual([600, 600]);
    expect(us.head!.min).toBeCloseTo(300, 6);
    expect(us.head!.max).toBeCloseTo(412.5, 6);
    expect(us.eyesFromTop!.min).toBeCloseTo(600 - 412.5, 6);
    expect(us.eyesFromTop!.max).toBeCloseTo(600 - 337.5, 6);
  });

  it('gives digital specs their pixels and fractions of the height', () => {
    const dv = geometry('us-dv-digital');
    expect([dv.width, dv.height]).toEqual([600, 600]);
    expect(dv.head!.min).toBeCloseTo(300, 6);
    expect(dv.head!.max).toBeCloseTo(414, 6);
    expect(geometry('cn-exit-entry-digital').head).toEqual({ min: 354, max: 402 });
  });

  it('leaves room for every head band inside its photo', () => {
    for (const s of SPECS) {
      const g = photoGeometry(s);
      if (!g.head) continue;
      expect(g.head.min, s.id).toBeLessThan(g.head.max);
      expect(g.head.max + (g.crownMargin?.min ?? 0), s.id).toBeLessThan(g.height);
    }
  });

  it('converts millimetres and pixels both ways', () => {
    expect(mmToPx(25.4, 300)).toBe(300);
    expect(pxToMm(mmToPx(33, 350), 350)).toBeCloseTo(33, 10);
  });
});
