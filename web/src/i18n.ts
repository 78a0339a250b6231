/** The page's words in English and Chinese; the language follows the browser until the user picks one. */
const en = {
  skip: 'Skip to content',
  title: 'QR Workshop',
  tagline: 'Generate and read QR codes. Nothing leaves this server.',
  langHint: 'Switch language',
  langButton: '中文',
  genTitle: 'Generate',
  genText: 'Text or link to encode',
  genEc: 'Error correction',
  ecL: 'L · 7%',
  ecM: 'M · 15%',
  ecQ: 'Q · 25%',
  ecH: 'H · 30%',
  genSize: 'Size (px)',
  genMargin: 'Margin (modules)',
  genDark: 'Dark colour',
  genLight: 'Light colour',
  genTransparent: 'Transparent background',
  genPlaceholder: 'Type something above: the code appears here.',
  genAlt: 'QR code for the text above',
  genInfo: 'Version {version} ({modules}×{modules} modules) · level {ec} · {bytes} bytes · {used}% of capacity',
  downloadPng: 'Download PNG',
  downloadSvg: 'Download SVG',
  copyImage: 'Copy image',
  copiedImage: 'Image copied to the clipboard.',
  copyFailed: 'This browser did not allow copying to the clipboard.',
  recTitle: 'Recognise',
  dropHint: 'Drop images here, paste one with Ctrl+V, or',
  chooseFiles: 'Choose images',
  reading: 'Reading…',
  noCode: 'No code found in this image.',
  codesFound: '{count} code(s) found',
  copy: 'Copy',
  copied: 'Copied',
  pasted: 'Pasted image',
  cameraStart: 'Scan with camera',
  cameraStop: 'Stop camera',
  cameraLoading: 'Starting the camera…',
  cameraScanning: 'Point the camera at a code.',
  cameraUnsupported: 'This browser offers no camera here (it needs HTTPS or localhost).',
  cameraDenied: 'Camera permission was refused. Allow it in the browser settings and try again.',
  cameraMissing: 'No camera was found on this device.',
  cameraFailed: 'The camera could not be started: {reason}',
  cameraResult: 'Camera',
  apiDocs: 'API documentation',
  network: 'The service could not be reached. Check the connection and try again.',
  err_QR_DATA_TOO_LONG: 'The text is too long for a QR code at this error correction level. Shorten it or pick a lower level (L holds the most).',
  err_INVALID_OPTION: 'An option is not valid: {message}',
  err_IMAGE_TOO_LARGE: 'The image is too large: {message}',
  err_BODY_TOO_LARGE: 'The file is too large to upload.',
  err_UNSUPPORTED_IMAGE: 'This file is not an image the service can read.',
  err_CORRUPT_IMAGE: 'The image is damaged and no code could be read from it.',
  err_EMPTY_IMAGE: 'The file is empty.',
  err_SIZE_TOO_SMALL: 'The size is too small for this code: {message}',
  err_RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  err_SATURATED: 'The service is busy. Try again in a moment.',
  toolsLabel: 'Tools',
  tabQr: 'QR codes',
  tabId: 'ID photo',
  idTitle: 'ID photo',
  idPortrait: '1 · Portrait',
  idDropHint: 'A portrait facing the camera, in even light. Drop it here, or',
  idChoose: 'Choose a portrait',
  idCamera: 'Take one with the camera',
  idShoot: 'Take photo',
  idCameraReady: 'Look into the camera, then take the photo.',
  idCaptured: 'Camera photo',
  idSpecLegend: '2 · Size',
  idSpecSearch: 'Find a size',
  idSpecSearchHint: 'passport, visa, 一寸, US…',
  idSpec: 'Photo size',
  idNoMatch: 'No size matches “{query}”.',
  idSpecInfo: '{size} · {dpi} dpi · head {head} · {status}',
  idSpecPx: '{width}×{height} px',
  idSpecMm: '{width}×{height} mm',
  idConflict: 'Sources disagree on {rule}: {values}.',
  regionStudio: 'Studio sizes',
  status_official: 'official rules',
  'status_two-sources': 'two sources agree',
  'status_one-source': 'one source',
  status_conflict: 'sources disagree',
  status_convention: 'studio convention',
  crown_hair: 'to the top of the hair',
  crown_skull: 'to the top of the skull',
  idBackground: '3 · Background',
  bgSpec: 'Size’s default',
  bgWhite: 'White',
  bgBlue: 'Blue',
  bgRed: 'Red',
  bgDarkBlue: 'Dark blue',
  bgLightGrey: 'Light grey',
  bgBlack: 'Black',
  bgCustom: 'Other',
  bgCustomColour: 'Other background colour',
  idFill: 'Fill',
  fillFlat: 'Even',
  fillTop: 'Gradient (top)',
  fillCentre: 'Gradient (centre)',
  idFormat: 'File type',
  formatCutout: 'Cut-out PNG (transparent)',
  idHires: 'A copy at twice the resolution too',
  idSources: 'Where these numbers come from',
  idMaxKb: 'Largest file (KB)',
  idMaxKbHint: 'the size’s own',
  idSheetLegend: '4 · Print sheet',
  idSheet: 'Paper',
  sheetNone: 'No sheet',
  idOrientation: 'Orientation',
  orientAuto: 'Most copies',
  orientPortrait: 'Portrait',
  orientLandscape: 'Landscape',
  idCutLines: 'Cut lines',
  idMake: 'Make the photo',
  idMaking: 'Making the photo…',
  idMade: 'Done in {seconds} s.',
  idPlaceholder: 'Choose a portrait and a size, then make the photo: it appears here with its guides.',
  idPhotoAlt: 'The ID photo made from the portrait',
  idPhotoInfo: '{width}×{height} px · {dpi} dpi · {kb} KB {format}',
  idGuides: 'Show guides',
  legendHead: 'Head: crown and chin as measured',
  legendEyes: 'Eye line as measured',
  legendAllowed: 'Where the size’s rules allow them',
  idDownload: 'Download photo',
  idDownloadHires: 'Download high resolution',
  idDownloadSheet: 'Download print sheet',
  idReport: 'Compliance report',
  idPassedAll: 'Meets all {count} rules of {spec}.',
  idFailedSome: 'Fails {failed} of {count} rules of {spec}.',
  idPassed: 'Passed',
  idFailed: 'Failed',
  idExpected: 'expected {expected}',
  idWarning: 'Warning',
  mHead: 'Head height',
  mCrown: 'Space above the head',
  mEyes: 'Eye line',
  mEyesValue: '{mm} mm from the bottom ({percent}%)',
  mRoll: 'Head tilt corrected',
  mBackground: 'Background',
  mBackgroundValue: '{text} · {share}% of the photo · ΔE {deltaE}',
  mFile: 'File',
  mFileValue: '{kb} KB {format}{quality}',
  mQuality: ', quality {quality}',
  mTime: 'Time on the service',
  idSheetAlt: 'The print sheet with copies of the photo',
  idSheetInfo: 'Print sheet: {width}×{height} px at {dpi} dpi',
  idNoImage: 'Choose a portrait first.',
  idUnavailable: 'This server does not make ID photos (it runs the QR tools only).',
  err_NO_FACE: 'No face was found in the portrait. Use a photo of one person facing the camera.',
  err_MULTIPLE_FACES: 'There is more than one face in the portrait. Crop it to one person.',
  err_FACE_TOO_SMALL: 'The face is too small for this size: {message}',
  err_ENGINE_UNAVAILABLE: 'The background removal engine is not available: {message}',
};

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const zh: Dictionary = {
  skip: '跳到主要内容',
  title: 'QR 工坊',
  tagline: '生成和识别二维码。数据不会离开本服务器。',
  langHint: '切换语言',
  langButton: 'English',
  genTitle: '生成',
  genText: '要编码的文字或链接',
  genEc: '纠错等级',
  ecL: 'L · 7%',
  ecM: 'M · 15%',
  ecQ: 'Q · 25%',
  ecH: 'H · 30%',
  genSize: '尺寸（像素）',
  genMargin: '边距（模块）',
  genDark: '前景色',
  genLight: '背景色',
  genTransparent: '透明背景',
  genPlaceholder: '在上方输入内容，二维码会显示在这里。',
  genAlt: '上方文字的二维码',
  genInfo: '版本 {version}（{modules}×{modules} 模块）· 纠错 {ec} · {bytes} 字节 · 已用容量 {used}%',
  downloadPng: '下载 PNG',
  downloadSvg: '下载 SVG',
  copyImage: '复制图片',
  copiedImage: '图片已复制到剪贴板。',
  copyFailed: '浏览器不允许写入剪贴板。',
  recTitle: '识别',
  dropHint: '把图片拖到这里，按 Ctrl+V 粘贴，或',
  chooseFiles: '选择图片',
  reading: '识别中…',
  noCode: '这张图片里没有找到二维码。',
  codesFound: '找到 {count} 个码',
  copy: '复制',
  copied: '已复制',
  pasted: '粘贴的图片',
  cameraStart: '用摄像头扫描',
  cameraStop: '关闭摄像头',
  cameraLoading: '正在启动摄像头…',
  cameraScanning: '请把摄像头对准二维码。',
  cameraUnsupported: '此浏览器在这里无法使用摄像头（需要 HTTPS 或 localhost）。',
  cameraDenied: '摄像头权限被拒绝。请在浏览器设置中允许后重试。',
  cameraMissing: '此设备上没有找到摄像头。',
  cameraFailed: '无法启动摄像头：{reason}',
  cameraResult: '摄像头',
  apiDocs: 'API 文档',
  network: '无法连接到服务，请检查网络后重试。',
  err_QR_DATA_TOO_LONG: '文字太长，当前纠错等级下的二维码放不下。请缩短文字或选择更低的纠错等级（L 容量最大）。',
  err_INVALID_OPTION: '参数无效：{message}',
  err_IMAGE_TOO_LARGE: '图片太大：{message}',
  err_BODY_TOO_LARGE: '文件太大，无法上传。',
  err_UNSUPPORTED_IMAGE: '无法读取这个文件，它不是受支持的图片格式。',
  err_CORRUPT_IMAGE: '图片已损坏，没有读出二维码。',
  err_EMPTY_IMAGE: '文件是空的。',
  err_SIZE_TOO_SMALL: '尺寸太小，放不下这个二维码：{message}',
  err_RATE_LIMITED: '请求太频繁，请稍后再试。',
  err_SATURATED: '服务繁忙，请稍后再试。',
  toolsLabel: '工具',
  tabQr: '二维码',
  tabId: '证件照',
  idTitle: '证件照',
  idPortrait: '1 · 人像照片',
  idDropHint: '正面、光线均匀的人像照片。拖到这里，或',
  idChoose: '选择照片',
  idCamera: '用摄像头拍摄',
  idShoot: '拍照',
  idCameraReady: '请看向摄像头，然后拍照。',
  idCaptured: '摄像头照片',
  idSpecLegend: '2 · 尺寸',
  idSpecSearch: '查找尺寸',
  idSpecSearchHint: '护照、签证、一寸、美国…',
  idSpec: '照片尺寸',
  idNoMatch: '没有与“{query}”匹配的尺寸。',
  idSpecInfo: '{size} · {dpi} dpi · 头部{head} · {status}',
  idSpecPx: '{width}×{height} 像素',
  idSpecMm: '{width}×{height} 毫米',
  idConflict: '来源对{rule}说法不一：{values}。',
  regionStudio: '照相馆常用尺寸',
  status_official: '官方规定',
  'status_two-sources': '两个来源一致',
  'status_one-source': '单一来源',
  status_conflict: '来源不一致',
  status_convention: '照相馆惯例',
  crown_hair: '量到头发顶部',
  crown_skull: '量到头顶（颅骨）',
  idBackground: '3 · 背景',
  bgSpec: '该尺寸默认',
  bgWhite: '白色',
  bgBlue: '蓝色',
  bgRed: '红色',
  bgDarkBlue: '深蓝',
  bgLightGrey: '浅灰',
  bgBlack: '黑色',
  bgCustom: '其他',
  bgCustomColour: '其他背景颜色',
  idFill: '填充',
  fillFlat: '纯色',
  fillTop: '渐变（上深下浅）',
  fillCentre: '渐变（中心浅）',
  idFormat: '文件格式',
  formatCutout: '透明抠图 PNG',
  idHires: '同时生成双倍分辨率版本',
  idSources: '这些数据的来源',
  idMaxKb: '文件上限（KB）',
  idMaxKbHint: '按尺寸规定',
  idSheetLegend: '4 · 排版打印',
  idSheet: '相纸',
  sheetNone: '不排版',
  idOrientation: '方向',
  orientAuto: '放得最多',
  orientPortrait: '纵向',
  orientLandscape: '横向',
  idCutLines: '裁切线',
  idMake: '制作证件照',
  idMaking: '正在制作…',
  idMade: '用时 {seconds} 秒。',
  idPlaceholder: '选择照片和尺寸后点击制作，结果和参考线会显示在这里。',
  idPhotoAlt: '由人像照片制作的证件照',
  idPhotoInfo: '{width}×{height} 像素 · {dpi} dpi · {kb} KB {format}',
  idGuides: '显示参考线',
  legendHead: '头部：实测的头顶和下巴',
  legendEyes: '实测的眼睛位置',
  legendAllowed: '该尺寸规定的允许范围',
  idDownload: '下载证件照',
  idDownloadHires: '下载高分辨率版',
  idDownloadSheet: '下载排版相纸',
  idReport: '合规报告',
  idPassedAll: '符合{spec}的全部 {count} 项要求。',
  idFailedSome: '{spec}的 {count} 项要求中有 {failed} 项不符合。',
  idPassed: '通过',
  idFailed: '未通过',
  idExpected: '要求 {expected}',
  idWarning: '注意',
  mHead: '头部高度',
  mCrown: '头顶留白',
  mEyes: '眼睛位置',
  mEyesValue: '距底边 {mm} 毫米（{percent}%）',
  mRoll: '已校正的头部倾斜',
  mBackground: '背景',
  mBackgroundValue: '{text} · 占画面 {share}% · ΔE {deltaE}',
  mFile: '文件',
  mFileValue: '{kb} KB {format}{quality}',
  mQuality: '，质量 {quality}',
  mTime: '服务端用时',
  idSheetAlt: '排有多张证件照的打印相纸',
  idSheetInfo: '排版相纸：{width}×{height} 像素，{dpi} dpi',
  idNoImage: '请先选择照片。',
  idUnavailable: '此服务器未开启证件照功能（只提供二维码工具）。',
  err_NO_FACE: '照片中没有找到人脸。请使用一人正面朝向镜头的照片。',
  err_MULTIPLE_FACES: '照片中有不止一张人脸。请裁剪到只有一个人。',
  err_FACE_TOO_SMALL: '对这个尺寸来说人脸太小：{message}',
  err_ENGINE_UNAVAILABLE: '抠图引擎不可用：{message}',
};

export type Lang = 'en' | 'zh';
const DICTIONARIES: Record<Lang, Dictionary> = { en, zh };
const STORAGE_KEY = 'qrw.lang';

let current: Lang = initialLang();
const listeners: (() => void)[] = [];

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch {
    // storage can be disabled; fall back to the browser language
  }
  // The first of the browser's languages that the page speaks.
  const spoken = navigator.languages.map((l) => l.slice(0, 2).toLowerCase()).find((l) => l === 'zh' || l === 'en');
  return spoken === 'zh' ? 'zh' : 'en';
}

export function lang(): Lang {
  return current;
}

/** A message with {name} placeholders filled in. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return DICTIONARIES[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

/** Fill every [data-i18n] element and tell the panels, which re-render their own messages. */
export function applyLanguage(): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = el.dataset['i18n'];
    if (key && hasMessage(key)) el.textContent = t(key);
  }
  for (const el of document.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    const key = el.dataset['i18nPlaceholder'];
    if (key && hasMessage(key)) el.placeholder = t(key);
  }
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): void {
  listeners.push(listener);
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered, still switched
  }
  applyLanguage();
}

/** The report's rule names come from the service in English; these are the ones it writes, in Chinese. */
const RULES_ZH: Record<string, string> = {
  'one face': '只有一张人脸',
  'head height (chin to the top of the hair)': '头部高度（下巴到头发顶部）',
  'head height (chin to the top of the skull)': '头部高度（下巴到头顶）',
  'crown to the top edge': '头顶到上边缘的距离',
  'eye line above the bottom edge': '眼睛到下边缘的高度',
  'crown inside the photo': '头顶在照片内',
  'background colour': '背景颜色',
  'file size': '文件大小',
  size: '尺寸',
  'head width': '头部宽度',
  'head height': '头部高度',
};

/** A rule name from the service in the page's language (the service's words when the page does not know it). */
export function ruleName(rule: string): string {
  return current === 'zh' ? (RULES_ZH[rule] ?? rule) : rule;
}
