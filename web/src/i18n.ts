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
