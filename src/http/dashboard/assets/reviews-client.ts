import { DOM_JS } from './dom.js';

/**
 * The reviewer's page script (plain ES5 like the dashboard's, no build step): lists the campaigns, then the
 * caller's items of the chosen one, each with a decision form. Everything from the API is put in as text.
 */
export const REVIEWS_JS = String.raw`'use strict';
(function () {
  var state = { me: null, campaign: null, items: [] };
${DOM_JS}
  function show(v) { return v === null || v === undefined ? '(none)' : v; }
  function badge(text, kind) { return el('span', { class: 'badge ' + (kind || 'info'), text: text }); }

  async function api(method, path, body) {
    var headers = { Accept: 'application/json', 'X-Heap-Access-Sync': 'dashboard' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    var res = await fetch(path, init);
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401) { window.location.href = '/'; throw new Error('signed out'); }
    if (!res.ok) throw new Error((data && data.message) || ('request failed with HTTP ' + res.status));
    return data;
  }
  function fail(err) { $('error').textContent = err.message; $('error').hidden = false; }

  var FLAG_KIND = { admin: 'bad', 'unused-90-days': 'warn', 'unknown-to-idp': 'bad', drift: 'warn', exception: 'info', 'owns-assets': 'warn' };

  function renderCampaigns(campaigns) {
    if (!campaigns.length) { fill($('campaigns'), [el('p', { class: 'empty', text: 'No campaigns yet.' })]); return; }
    fill($('campaigns'), [el('ul', {}, campaigns.map(function (c) {
      var mine = c.reviewers.indexOf(state.me) >= 0;
      return el('li', { 'data-campaign': c.id }, [
        el('a', { href: '/reviews?id=' + encodeURIComponent(c.id), text: c.id }), ' ',
        badge(c.status, c.status === 'open' ? 'warn' : 'ok'), ' ',
        c.items + ' item(s), due ' + c.dueAt.slice(0, 10) + (mine ? ' — you review this one' : ''),
      ]);
    }))]);
  }

  function decisionForm(item) {
    var select = el('select', { 'aria-label': 'Decision for ' + item.user + ' ' + item.entitlement, name: 'decision' }, [
      el('option', { value: 'keep', text: 'keep' }), el('option', { value: 'revoke', text: 'revoke' }),
      el('option', { value: 'reduce', text: 'reduce to…' }), el('option', { value: 'make-permanent', text: 'make permanent' }),
    ]);
    var value = el('input', { type: 'text', name: 'value', placeholder: 'lower value', 'aria-label': 'Lower value', hidden: true, size: 10 });
    select.addEventListener('change', function () { value.hidden = select.value !== 'reduce'; });
    var reason = el('input', { type: 'text', name: 'reason', required: true, placeholder: 'justification', 'aria-label': 'Justification for ' + item.user + ' ' + item.entitlement, size: 28 });
    var button = el('button', { type: 'submit', class: 'primary', text: 'Decide' });
    var form = el('form', { class: 'decide' }, [select, ' ', value, ' ', reason, ' ', button]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      button.disabled = true;
      var body = { decision: select.value, reason: reason.value };
      if (select.value === 'reduce') body.value = value.value === '' || value.value === '(none)' ? null : value.value;
      api('POST', '/api/reviews/' + encodeURIComponent(state.campaign.id) + '/items/' + encodeURIComponent(item.id) + '/decision', body)
        .then(function (decided) {
          state.items = state.items.map(function (i) { return i.id === decided.id ? decided : i; });
          $('error').hidden = true;
          renderItems();
        }, fail)
        .finally(function () { button.disabled = false; });
    });
    return form;
  }

  function renderItems() {
    var items = state.items;
    var decided = items.filter(function (i) { return i.decision; }).length;
    $('progress').textContent = decided + ' of ' + items.length + ' decided';
    if (!items.length) { fill($('items'), [el('p', { class: 'empty', text: 'Nothing for you to decide in this campaign.' })]); return; }
    var open = state.campaign.status === 'open';
    var rows = items.map(function (i) {
      var facts = [];
      if (i.lastActiveAt) facts.push('last active ' + i.lastActiveAt.slice(0, 10));
      if (i.ownedAssets) facts.push('owns ' + i.ownedAssets + ' asset(s)');
      if (i.unchangedSince) facts.push('unchanged since ' + i.unchangedSince.campaign + (i.unchangedSince.decision ? ' (' + i.unchangedSince.decision + ')' : ''));
      var verdict = i.decision
        ? el('span', { class: 'decided' }, [badge(i.decision.decision + (i.decision.value !== undefined ? ' ' + show(i.decision.value) : ''), 'ok'), ' ' + i.decision.reason])
        : (open ? decisionForm(i) : el('em', { text: 'undecided' }));
      return el('tr', { 'data-item': i.id, 'data-user': i.user, 'data-entitlement': i.entitlement }, [
        el('td', {}, [i.user]),
        el('td', {}, [el('code', { text: i.entitlement })]),
        el('td', {}, [el('code', { text: show(i.actual) })]),
        el('td', {}, [el('code', { text: show(i.desired) })]),
        el('td', {}, i.flags.map(function (f) { return badge(f, FLAG_KIND[f]); })),
        el('td', {}, [el('span', { class: 'note', text: i.reasons.join('; ') || 'no rule grants it' })]),
        el('td', {}, [el('span', { class: 'note', text: facts.join(', ') })]),
        el('td', {}, [verdict]),
      ]);
    });
    var head = ['User', 'Entitlement', 'Heap has', 'Mapping gives', 'Flags', 'Why', 'Activity', 'Decision'];
    fill($('items'), [el('table', {}, [el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))]), el('tbody', {}, rows)])]);
  }

  async function start() {
    try {
      var me = await api('GET', '/api/whoami');
      state.me = String(me.name).toLowerCase();
      $('who-text').textContent = 'Signed in as ' + me.name + ' (' + me.role + ')';
      var campaigns = (await api('GET', '/api/reviews')).campaigns;
      renderCampaigns(campaigns);
      var wanted = new URLSearchParams(window.location.search).get('id');
      var chosen = campaigns.filter(function (c) { return wanted ? c.id === wanted : c.status === 'open' && c.reviewers.indexOf(state.me) >= 0; })[0];
      if (!chosen) return;
      var shown = await api('GET', '/api/reviews/' + encodeURIComponent(chosen.id) + '?mine=true');
      state.campaign = shown.campaign;
      state.items = shown.items;
      $('campaign-id').textContent = chosen.id;
      $('items-section').hidden = false;
      renderItems();
    } catch (err) {
      if (err.message !== 'signed out') fail(err);
    }
  }
  start();
})();
`;
