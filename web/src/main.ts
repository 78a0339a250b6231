import './style.css';
import { setupBatchPanel } from './batch-panel.js';
import { setupCamera } from './camera.js';
import { setupGeneratePanel } from './generate-panel.js';
import { byId } from './dom.js';
import { applyLanguage, lang, onLanguageChange, setLang, t } from './i18n.js';
import { setupIdPhotoPanel } from './idphoto-panel.js';
import { setupRecognisePanel } from './recognise-panel.js';
import { setupTabs } from './tabs.js';

const langButton = byId('lang', HTMLButtonElement);
langButton.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
onLanguageChange(() => {
  langButton.textContent = t('langButton');
  langButton.lang = lang() === 'en' ? 'zh-CN' : 'en';
});
setupGeneratePanel();
setupRecognisePanel();
setupCamera();
const idPhoto = setupIdPhotoPanel();
setupBatchPanel();
const qrCameraStop = byId('cam-stop', HTMLButtonElement);
setupTabs((panel) => {
  if (panel === 'view-id') idPhoto.show();
  else idPhoto.hide();
  if (panel !== 'view-qr' && !qrCameraStop.closest('[hidden]')) qrCameraStop.click(); // the QR camera does not run behind another tab
});
applyLanguage();
