// The console's only script, beside blazor.web.js (enhanced navigation and forms): local times and
// live events. No framework and no CDN.
(() => {
  const localize = () => {
    for (const el of document.querySelectorAll('time[data-local-time]')) {
      const when = new Date(el.getAttribute('datetime'));
      if (!isNaN(when)) el.textContent = when.toLocaleString();
    }
  };

  // Overview: a new or resolved monitoring event re-renders the page through enhanced navigation (no reload).
  let source = null;
  const live = () => {
    const section = document.querySelector('[data-live-events]');
    if (!section) { if (source) { source.close(); source = null; } return; }
    if (source) return;
    source = new EventSource(section.getAttribute('data-live-events'));
    // Says when the stream is open (tests wait for it rather than for a guessed delay).
    source.addEventListener('open', () => document.documentElement.setAttribute('data-live-connected', 'true'));
    const update = (words) => () => {
      const status = document.querySelector('[data-live-status]');
      if (status) status.textContent = words;
      if (window.Blazor) window.Blazor.navigateTo(location.href, { replaceHistoryEntry: true });
      else location.reload();
    };
    source.addEventListener('monitoring-event', update('New event recorded; updating…'));
    source.addEventListener('monitoring-event-resolved', update('An event was resolved; updating…'));
  };

  const refresh = () => { localize(); live(); };
  document.addEventListener('DOMContentLoaded', refresh);
  if (window.Blazor) window.Blazor.addEventListener('enhancedload', refresh);
  else document.addEventListener('DOMContentLoaded', () => window.Blazor && window.Blazor.addEventListener('enhancedload', refresh));
})();
