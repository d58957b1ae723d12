// Copy buttons (data-copy-text): one delegated listener in a served file, so a CSP without
// 'unsafe-inline' keeps them working, also after enhanced navigation replaced the page.
(() => {
  const fallback = (text) => {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  };

  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-copy-text]');
    if (!button) return;
    const text = button.getAttribute('data-copy-text');
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        copied = true;
      } else {
        copied = fallback(text);
      }
    } catch {
      copied = fallback(text);
    }
    const status = button.parentElement.querySelector('[data-copy-status]');
    if (status) status.textContent = copied ? 'Copied.' : 'Copy failed: select the link and copy it.';
    if (copied) button.setAttribute('data-copied', text);
  });
})();
