/**
 * Progressive enhancement of the employer picker: as the applicant types, the results list is
 * refreshed from the JSON API. Without JavaScript the search button does the same on the server.
 */
export const EMPLOYER_SEARCH_SCRIPT = `
const input = document.querySelector('[data-app-employer-search]');
const results = document.getElementById('employer-results');
if (input && results && window.fetch) {
  let timer;
  // The server has already shown the results (and any error) for the value it rendered.
  let last = input.defaultValue.trim();
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const change = new URLSearchParams(location.search).get('change') === '1';
  const render = (employers, q) => {
    results.replaceChildren();
    if (!employers.length) {
      const p = document.createElement('p');
      p.textContent = 'No open NHS organisations match \\u201c' + q + '\\u201d. Check the spelling, or try the town or the ODS code.';
      results.append(p);
      return;
    }
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/apply/employer';
    form.noValidate = true;
    const hidden = (name, value) => { const h = document.createElement('input'); h.type = 'hidden'; h.name = name; h.value = value; form.append(h); };
    hidden('_csrf', csrf);
    if (change) hidden('change', '1');
    const group = document.createElement('div');
    group.className = 'nhsuk-form-group';
    const fieldset = document.createElement('fieldset');
    fieldset.className = 'nhsuk-fieldset';
    const legend = document.createElement('legend');
    legend.className = 'nhsuk-fieldset__legend nhsuk-fieldset__legend--s';
    legend.textContent = (employers.length >= 30 ? 'The first ' : '') + employers.length + ' matching organisations' + (employers.length >= 30 ? ': add the town or the ODS code to narrow the search' : '');
    const radios = document.createElement('div');
    radios.className = 'nhsuk-radios';
    employers.forEach((e, i) => {
      const item = document.createElement('div');
      item.className = 'nhsuk-radios__item';
      const r = document.createElement('input');
      r.className = 'nhsuk-radios__input'; r.type = 'radio'; r.name = 'employerOds'; r.value = e.odsCode; r.id = 'employerOds' + (i ? '-' + (i + 1) : '');
      const label = document.createElement('label');
      label.className = 'nhsuk-label nhsuk-radios__label'; label.htmlFor = r.id; label.textContent = e.name;
      const hint = document.createElement('div');
      hint.className = 'nhsuk-hint nhsuk-radios__hint'; hint.id = r.id + '-item-hint';
      hint.textContent = e.kindLabel + ', ' + (e.town ? e.town + ', ' : '') + 'ODS code ' + e.odsCode;
      r.setAttribute('aria-describedby', hint.id);
      item.append(r, label, hint);
      radios.append(item);
    });
    fieldset.append(legend, radios);
    group.append(fieldset);
    const button = document.createElement('button');
    button.type = 'submit'; button.className = 'nhsuk-button'; button.textContent = 'Continue';
    form.append(group, button);
    results.append(form);
  };
  const search = async () => {
    const q = input.value.trim();
    if (q.length < 2 || q === last) return;
    try {
      const res = await fetch('/api/v1/employers?q=' + encodeURIComponent(q), { headers: { accept: 'application/json' } });
      // Only a shown result counts: after a failed request the same words are searched again.
      if (res.ok && input.value.trim() === q) { render((await res.json()).employers, q); last = q; }
    } catch {}
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  // Words typed before this script ran (a slow connection) are searched at once.
  search();
}
`;
