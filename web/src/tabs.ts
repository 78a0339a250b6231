import { byId } from './dom.js';

/** The tool tabs (QR codes, ID photo, Batch): arrow keys move between them, the URL hash remembers the one shown. */
export function setupTabs(onShow: (panelId: string) => void): void {
  const tabs = [byId('tab-qr', HTMLButtonElement), byId('tab-id', HTMLButtonElement), byId('tab-batch', HTMLButtonElement)];
  const HASHES: Record<string, string> = { 'tab-qr': '', 'tab-id': '#id-photo', 'tab-batch': '#batch' };

  function select(tab: HTMLButtonElement, focus = false): void {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      byId(other.getAttribute('aria-controls')!, HTMLDivElement).hidden = !selected;
    }
    if (focus) tab.focus();
    const hash = HASHES[tab.id] ?? '';
    if (location.hash !== hash && (hash || location.hash)) history.replaceState(null, '', hash || location.pathname + location.search);
    onShow(tab.getAttribute('aria-controls')!);
  }

  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (e) => {
      const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      const target = e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs.at(-1) : step ? tabs[(i + step + tabs.length) % tabs.length] : undefined;
      if (!target) return;
      e.preventDefault();
      select(target, true);
    });
  });
  const shown = tabs.find((tab) => HASHES[tab.id] && HASHES[tab.id] === location.hash);
  if (shown) select(shown);
}
