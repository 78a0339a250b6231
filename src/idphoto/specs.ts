/**
 * The catalogue of ID-photo specifications: size, resolution, where the head must sit, background,
 * file size, and where each number comes from. Numbers that sources disagree on are kept side by
 * side as a conflict, never settled silently.
 */

/** How well a spec's numbers are established: a government page, two independent secondary pages, one, or sources that disagree. */
export type SpecStatus = 'official' | 'two-sources' | 'one-source' | 'conflict' | 'convention';

/** Where the head's top is measured: the top of the hair, or the top of the skull (the hair ignored). */
export type CrownRule = 'hair' | 'skull';

export interface Range {
  readonly min: number;
  readonly max: number;
}

/** A length on the photo: millimetres, pixels at the spec's dpi, or a fraction of the photo's height. */
export type Length = { readonly mm: Range } | { readonly px: Range } | { readonly fraction: Range };

export interface Conflict {
  /** The rule the sources disagree on. */
  readonly rule: string;
  /** Each source's value, as it states it. */
  readonly values: readonly string[];
}

export interface IdPhotoSpec {
  /** Stable, for the API and the CLI. */
  readonly id: string;
  readonly name: { readonly en: string; readonly zh: string };
  /** Country or region (ISO 3166 alpha-2), or 'studio' for print conventions. */
  readonly region: string;
  /** Physical size; digital-only specs give pixels and their nominal dpi. */
  readonly size: { readonly widthMm: number; readonly heightMm: number } | { readonly widthPx: number; readonly heightPx: number };
  readonly dpi: number;
  /** Chin to crown. */
  readonly head?: Length;
  readonly crown: CrownRule;
  /** Crown to the photo's top edge. */
  readonly crownMargin?: Length;
  /** Eye line measured from the photo's bottom edge. */
  readonly eyesFromBottom?: Length;
  /** Background colours allowed, the first is the default (hex). */
  readonly backgrounds: readonly string[];
  readonly fileKb?: Range;
  readonly status: SpecStatus;
  /** Where the numbers come from, in words a person can follow up. */
  readonly sources: readonly string[];
  readonly conflicts?: readonly Conflict[];
}

const WHITE = '#ffffff';
const OFF_WHITE = '#f5f5f0';
const LIGHT_GREY = '#f2f0f0';
const BLUE = '#628bce';
const RED = '#d74532';

/** Chinese studio sizes: print conventions at 300 dpi, not rules; head placement is the photographer's. */
const studio = (id: string, en: string, zh: string, widthMm: number, heightMm: number, note: string): IdPhotoSpec => ({
  id,
  name: { en, zh },
  region: 'studio',
  size: { widthMm, heightMm },
  dpi: 300,
  head: { fraction: { min: 0.5, max: 0.7 } },
  crown: 'hair',
  backgrounds: [BLUE, WHITE, RED],
  status: 'convention',
  sources: [`Photo-studio convention (${note}); head share of the height is ours: the common 50-70 %`],
});

/** The US passport and visa photo: one rule set. */
const US_PASSPORT_PHOTO = {
  region: 'US',
  size: { widthMm: 50.8, heightMm: 50.8 },
  dpi: 300,
  head: { mm: { min: 25.4, max: 34.925 } },
  crown: 'hair',
  eyesFromBottom: { mm: { min: 28.575, max: 34.925 } },
  backgrounds: [WHITE, OFF_WHITE],
  status: 'official',
  sources: [
    'US Department of State photo requirements (2x2 in; head 1 to 1 3/8 in, chin to the top of the hair), e.g. bg.usembassy.gov; eye line 1 1/8 to 1 3/8 in from the bottom: two secondary pages',
  ],
} as const satisfies Omit<IdPhotoSpec, 'id' | 'name'>;

export const SPECS: readonly IdPhotoSpec[] = [
  studio('cn-1inch', '1-inch', '一寸', 25, 35, '295x413 px at 300 dpi'),
  studio('cn-1inch-small', 'Small 1-inch', '小一寸', 22, 32, '260x378 px at 300 dpi'),
  studio('cn-1inch-large', 'Large 1-inch', '大一寸', 33, 48, '390x567 px at 300 dpi'),
  {
    ...studio('cn-2inch', '2-inch', '二寸', 35, 49, '413x579 px at 300 dpi; some sources 35x53 mm'),
    status: 'conflict',
    conflicts: [{ rule: 'size', values: ['35x49 mm (413x579 px)', '35x53 mm (413x626 px), the size others call large 2-inch'] }],
  },
  studio('cn-2inch-small', 'Small 2-inch', '小二寸', 35, 45, '413x531 px at 300 dpi; one source 35x49 mm'),
  studio('cn-2inch-large', 'Large 2-inch', '大二寸', 35, 53, '413x626 px at 300 dpi'),
  {
    id: 'cn-passport',
    name: { en: 'China passport / exit-entry permit', zh: '中国护照 / 出入境证件' },
    region: 'CN',
    size: { widthMm: 33, heightMm: 48 },
    dpi: 300,
    head: { mm: { min: 28, max: 33 } },
    crown: 'hair',
    crownMargin: { mm: { min: 3, max: 5 } },
    backgrounds: [WHITE, LIGHT_GREY, '#cfe3f7'],
    status: 'two-sources',
    sources: ['Two secondary guides and a county police page (2016): head 28-33 mm, crown 3-5 mm below the top, chin at least 7 mm above the bottom'],
    conflicts: [{ rule: 'head width', values: ['15-22 mm', '21-24 mm'] }],
  },
  {
    id: 'cn-exit-entry-digital',
    name: { en: 'China exit-entry, digital', zh: '出入境证件（数码照片）' },
    region: 'CN',
    size: { widthPx: 390, heightPx: 567 },
    dpi: 300,
    head: { px: { min: 354, max: 402 } },
    crown: 'hair',
    backgrounds: [WHITE, BLUE],
    fileKb: { min: 40, max: 50 },
    status: 'one-source',
    sources: ['One secondary guide: head 354-402 px, face width 189-283 px, eye line 152-246 px from the top, pupils 82-118 px apart, JPEG 40-50 KB'],
  },
  {
    id: 'cn-id-card',
    name: { en: 'China resident ID card (GA 461-2004)', zh: '居民身份证（GA 461-2004）' },
    region: 'CN',
    size: { widthMm: 26, heightMm: 32 },
    dpi: 350,
    head: { fraction: { min: 0.6, max: 0.72 } },
    crown: 'hair',
    backgrounds: [WHITE],
    fileKb: { min: 14, max: 20 },
    status: 'two-sources',
    sources: ['GA 461-2004 as quoted by two secondary pages: 358x441 px at 350 dpi, head about 2/3 of the photo, face width 207±14 px, hairline 7-21 px below the top, JPEG 14-20 KB'],
  },
  {
    id: 'cn-visa',
    name: { en: 'China visa', zh: '中国签证' },
    region: 'CN',
    size: { widthMm: 33, heightMm: 48 },
    dpi: 300,
    head: { mm: { min: 28, max: 33 } },
    crown: 'hair',
    backgrounds: [WHITE],
    status: 'one-source',
    sources: ['One secondary guide: 33x48 mm, head 28-33 mm, head width 15-22 mm, crown 10-70 px below the top'],
  },
  {
    id: 'cn-visa-digital',
    name: { en: 'China visa, digital', zh: '中国签证（数码照片）' },
    region: 'CN',
    size: { widthPx: 354, heightPx: 472 },
    dpi: 300,
    head: { fraction: { min: 28 / 48, max: 33 / 48 } },
    crown: 'hair',
    backgrounds: [WHITE],
    fileKb: { min: 40, max: 120 },
    status: 'one-source',
    sources: ['One secondary guide: 354x472 px, 40-120 KB; head share as on the printed visa photo (28-33 of 48 mm)'],
  },
  { ...US_PASSPORT_PHOTO, id: 'us-passport', name: { en: 'US passport', zh: '美国护照' } },
  { ...US_PASSPORT_PHOTO, id: 'us-visa', name: { en: 'US visa', zh: '美国签证' } },
  {
    id: 'us-dv-digital',
    name: { en: 'US DV lottery / DS-160, digital', zh: '美国绿卡抽签 / DS-160（数码照片）' },
    region: 'US',
    size: { widthPx: 600, heightPx: 600 },
    dpi: 300,
    head: { fraction: { min: 0.5, max: 0.69 } },
    crown: 'hair',
    eyesFromBottom: { fraction: { min: 0.56, max: 0.69 } },
    backgrounds: [WHITE],
    fileKb: { min: 0, max: 240 },
    status: 'one-source',
    sources: ['One secondary page: 600x600 px (DS-160 accepts 600-1200 px square), head 50-69 % of the height, eyes 56-69 % from the bottom, at most 240 KB'],
  },
  {
    id: 'uk-passport',
    name: { en: 'UK passport', zh: '英国护照' },
    region: 'GB',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { mm: { min: 29, max: 34 } },
    crown: 'skull',
    backgrounds: [LIGHT_GREY, '#f3efe0'],
    fileKb: { min: 50, max: 10240 },
    status: 'two-sources',
    sources: ['Two secondary pages: 35x45 mm, head 29-34 mm from the chin to the top of the head (not the hair); digital at least 600x750 px, 50 KB-10 MB (one source)'],
  },
  {
    id: 'schengen-visa',
    name: { en: 'Schengen visa', zh: '申根签证' },
    region: 'EU',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { mm: { min: 32, max: 36 } },
    crown: 'hair',
    backgrounds: [LIGHT_GREY, WHITE],
    status: 'two-sources',
    sources: ['Two secondary pages: 35x45 mm, head 32-36 mm, light uniform background (light grey preferred)'],
  },
  {
    id: 'de-passport',
    name: { en: 'Germany passport / ID card', zh: '德国护照 / 身份证' },
    region: 'DE',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { mm: { min: 32, max: 36 } },
    crown: 'skull',
    backgrounds: [LIGHT_GREY],
    status: 'two-sources',
    sources: ['The Bundesdruckerei photo template as quoted by two pages: head 32-36 mm ignoring the hair, refused below 27 or above 40 mm'],
  },
  {
    id: 'jp-passport',
    name: { en: 'Japan passport', zh: '日本护照' },
    region: 'JP',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { mm: { min: 32, max: 36 } },
    crown: 'hair',
    crownMargin: { mm: { min: 2, max: 6 } },
    backgrounds: [WHITE, OFF_WHITE],
    status: 'two-sources',
    sources: ['Two secondary pages: 35x45 mm, head 32-36 mm, 2-6 mm from the crown to the top edge'],
  },
  {
    id: 'jp-visa',
    name: { en: 'Japan visa', zh: '日本签证' },
    region: 'JP',
    size: { widthMm: 45, heightMm: 45 },
    dpi: 300,
    head: { fraction: { min: 0.7, max: 0.8 } },
    crown: 'hair',
    backgrounds: [WHITE],
    status: 'conflict',
    sources: ['Unverified: sources give 45x45 mm or 35x45 mm; head 70-80 % of the height. (25x35 mm, a preset elsewhere, is wrong.)'],
    conflicts: [{ rule: 'size', values: ['45x45 mm', '35x45 mm'] }],
  },
  {
    id: 'ca-passport',
    name: { en: 'Canada passport', zh: '加拿大护照' },
    region: 'CA',
    size: { widthMm: 50, heightMm: 70 },
    dpi: 300,
    head: { mm: { min: 31, max: 36 } },
    crown: 'hair',
    backgrounds: [WHITE, OFF_WHITE],
    status: 'two-sources',
    sources: ['Two secondary pages: 50x70 mm, head 31-36 mm from the chin to the natural top of the head'],
  },
  {
    id: 'ca-visa',
    name: { en: 'Canada visa (IRCC)', zh: '加拿大签证' },
    region: 'CA',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { mm: { min: 31, max: 36 } },
    crown: 'hair',
    backgrounds: [WHITE, OFF_WHITE],
    status: 'one-source',
    sources: ['One secondary page: 35x45 mm, head 31-36 mm'],
  },
  {
    id: 'kr-passport',
    name: { en: 'Korea passport', zh: '韩国护照' },
    region: 'KR',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { mm: { min: 32, max: 36 } },
    crown: 'skull',
    backgrounds: [WHITE],
    status: 'conflict',
    sources: ['Sources disagree on the head height; one measures to the top of the skull'],
    conflicts: [{ rule: 'head height', values: ['25-35 mm', '32-36 mm (to the top of the skull)'] }],
  },
  {
    id: 'in-passport',
    name: { en: 'India passport', zh: '印度护照' },
    region: 'IN',
    size: { widthMm: 35, heightMm: 45 },
    dpi: 300,
    head: { fraction: { min: 0.7, max: 0.8 } },
    crown: 'hair',
    backgrounds: [WHITE],
    status: 'conflict',
    sources: ['Sources disagree on the size: 35x45 mm in India, 2x2 in (51x51 mm) abroad and for OCI; head share as ICAO 9303 (70-80 %)'],
    conflicts: [{ rule: 'size', values: ['35x45 mm', '2x2 in (50.8x50.8 mm), abroad and OCI'] }],
  },
];

const BY_ID = new Map(SPECS.map((s) => [s.id, s]));

export function findSpec(id: string): IdPhotoSpec | undefined {
  return BY_ID.get(id.trim().toLowerCase());
}
