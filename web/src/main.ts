import './style.css';
import { setupCamera } from './camera.js';
import { setupGeneratePanel } from './generate-panel.js';
import { byId } from './dom.js';
import { applyLanguage, lang, onLanguageChange, setLang, t } from './i18n.js';
import { setupRecognisePanel } from './recognise-panel.js';

const langButton = byId('lang', HTMLButtonElement);
langButton.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
onLanguageChange(() => {
  langButton.textContent = t('langButton');
  langButton.lang = lang() === 'en' ? 'zh-CN' : 'en';
});
setupGeneratePanel();
setupRecognisePanel();
setupCamera();
applyLanguage();
