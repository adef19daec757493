import { DOM_JS } from './dom.js';

/**
 * The dashboard's script, embedded as a string (no build step). It renders with DOM APIs and text nodes only,
 * never innerHTML: e-mails, reasons and error messages come from outside and must not become markup.
 * Written without template literals so it can live inside this String.raw.
 */
export const DASHBOARD_JS = String.raw`
(function () {
  'use strict';
  var POLL_MS = 5000;
  var state = { role: null, name: null, status: null, exceptions: [], approvals: [], activity: [], signature: '', busy: false, timer: null,
    dialogItem: null, approvalItem: null };
  var EXPIRING_MS = 7 * 24 * 3600 * 1000;

${DOM_JS}
  function toast(message, bad) {
    var p = el('p', { class: bad ? 'bad' : '', text: message });
    $('toast').appendChild(p);
    setTimeout(function () { p.remove(); }, bad ? 12000 : 8000);
  }

  async function api(method, path, body) {
    var headers = { Accept: 'application/json', 'X-Heap-Access-Sync': 'dashboard' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var res = await fetch(path, init);
    var data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (res.status === 401) {
      showLogin(null);
      throw new Error('signed out');
    }
    if (!res.ok) throw new Error((data && (data.error || data.message)) || ('request failed with HTTP ' + res.status));
    return data;
  }

  // Times are relative to the server's clock (generatedAt), not the browser's.
  function nowMs() { return state.status ? Date.parse(state.status.generatedAt) : Date.now(); }

  function span(ms) {
    var s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return s + ' s';
    var m = Math.round(s / 60);
    if (m < 60) return m + ' min';
    var h = Math.round(m / 60);
    if (h < 48) return h + ' h';
    return Math.round(h / 24) + ' days';
  }

  function when(iso) {
    if (!iso) return el('span', { text: 'never' });
    var diff = Date.parse(iso) - nowMs();
    var text = Math.abs(diff) < 5000 ? 'just now' : diff < 0 ? span(diff) + ' ago' : 'in ' + span(diff);
    return el('time', { datetime: iso, title: new Date(iso).toLocaleString(), text: text });
  }

  function duration(ms) {
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
    return span(ms);
  }

  function value(v) { return v === null || v === undefined ? el('em', { text: '(none)' }) : el('code', { text: v }); }

  var STATUS_CLASS = { succeeded: 'ok', partial: 'warn', failed: 'bad', held: 'warn', 'dry-run': 'info' };
  function badge(text, kind) { return el('span', { class: 'badge ' + (kind || 'info'), text: text }); }

  /** When the sync reverts a drift item (policy.revertAfter after it was first seen), and who made it, if known. */
  function revertsAt(item) {
    var parts = [];
    if (item.action !== 'revert' || !item.revertsAt) parts.push(el('em', { text: 'never (kept)' }));
    else parts.push(el('span', { text: 'reverts at ' + new Date(item.revertsAt).toLocaleString() + ' (' }), when(item.revertsAt), el('span', { text: ')' }));
    if (item.changedBy) parts.push(el('div', { class: 'changed-by' }, [el('small', { text: 'changed by ' + item.changedBy + (item.changedAt ? ' ' + item.changedAt.slice(0, 16).replace('T', ' ') : '') })]));
    return parts;
  }

  /** Owned assets and last activity as Heap reports them: an owner losing access must transfer them first. */
  function facts(item) {
    var parts = [];
    if (item.ownedAssets) parts.push(badge('owns ' + item.ownedAssets + ' asset' + (item.ownedAssets === 1 ? '' : 's'), 'warn'));
    if (item.lastActiveAt) parts.push(el('small', { class: 'last-active', text: ' last active ' + item.lastActiveAt.slice(0, 10) }));
    return parts.length ? el('span', { class: 'facts' }, parts) : null;
  }

  /** Why a change is planned, as rule (group, source), exception or policy: what an approver needs to judge it. */
  function reasonText(r) {
    if (r.rule) return (r.lost ? 'was granted by rule ' : 'rule ') + r.rule + ' (group ' + r.group + ' from ' + r.source + ')';
    if (r.exception) return 'exception ' + r.exception + ' by ' + r.approver + (r.expired ? ', expired' : '') + ': ' + r.reason;
    if (r.policy) return 'policy ' + r.policy + ': ' + r.detail;
    if (r.grantedBy) return r.detail;
    return JSON.stringify(r);
  }

  function reasonsList(c) {
    var reasons = c.reasons || [];
    if (!reasons.length) return el('span', { class: 'note', text: 'no rule grants it' });
    return el('ul', { class: 'reasons' }, reasons.map(function (r) { return el('li', { text: reasonText(r) }); }));
  }

  function table(headers, rows) {
    return el('div', { class: 'scroll' }, [el('table', {}, [
      el('thead', {}, [el('tr', {}, headers.map(function (h) {
        return el('th', { scope: 'col', class: h.num ? 'num' : '' }, [h.label || h]);
      }))]),
      el('tbody', {}, rows),
    ])]);
  }

  function cell(content, cls) { return el('td', { class: cls || '' }, Array.isArray(content) ? content : [content]); }

  function isAdmin() { return state.role === 'admin'; }
  function mayDecide() { return state.role === 'admin' || state.role === 'approver'; }

  function actionButton(label, handler, cls) {
    return el('button', { type: 'button', class: cls || '', 'data-action': label, disabled: state.busy, onclick: handler, text: label });
  }

  async function act(label, work) {
    if (state.busy) return;
    state.busy = true;
    render(true);
    try {
      await work();
    } catch (err) {
      if (err.message !== 'signed out') toast(label + ' failed: ' + err.message, true);
    } finally {
      state.busy = false;
      await refresh(true);
    }
  }

  function describeRun(run) {
    var r = run;
    var text = 'Run ' + r.id + ': ' + r.status;
    if (r.plan) text += ' (' + r.plan.changes.length + ' change(s), ' + r.plan.drift.length + ' drift)';
    if (r.error) text += ': ' + r.error;
    return text;
  }

  function runSync(body, label) {
    return act(label, async function () {
      var record = await api('POST', '/api/sync', body);
      toast(describeRun(record), record.status === 'failed' || record.status === 'partial');
    });
  }

  // ---- sections -------------------------------------------------------------------------------------------------

  function renderFacts(s) {
    var facts = [
      ['Target', el('strong', { text: s.target })],
      ['Mapping', el('strong', { class: 'mono', title: s.mapping.version, text: s.mapping.version.slice(0, 12) })],
      ['Last successful sync', when(s.lastSuccessfulSyncAt)],
    ];
    fill($('facts'), facts.map(function (f) { return el('span', {}, [f[0] + ': ', f[1]]); }));
  }

  function renderBanners(s) {
    var banners = [];
    if (s.mapping.reloadFailed && s.mapping.reloadError) {
      var e = s.mapping.reloadError;
      var issues = (e.issues || []).map(function (i) {
        return el('li', { class: 'mono', text: i.file + ':' + i.line + ' ' + (i.path ? i.path + ': ' : '') + i.message });
      });
      banners.push(el('div', { class: 'banner bad', role: 'alert', id: 'reload-banner' }, [
        el('h2', { text: 'The last mapping reload failed' }),
        el('p', {}, ['At ', when(e.at), ': the service keeps running on the last good mapping (',
          el('code', { text: s.mapping.version.slice(0, 12) }), '). Fix the files and save them again.']),
        issues.length ? el('ul', {}, issues) : el('p', { class: 'mono', text: e.message }),
      ]));
    }
    if (s.drift.error) {
      banners.push(el('div', { class: 'banner warn', role: 'alert' }, [
        el('h2', { text: 'Drift could not be read live' }),
        el('p', { text: s.drift.error }),
      ]));
    }
    var broken = s.sources.filter(function (src) { return !src.healthy; });
    if (broken.length) {
      banners.push(el('div', { class: 'banner warn' }, [
        el('h2', { text: 'An identity source failed its last read' }),
        el('p', { text: 'Runs stop before planning until every source reads completely: ' +
          broken.map(function (b) { return b.name; }).join(', ') + '.' }),
      ]));
    }
    if (s.mapping.warnings && s.mapping.warnings.length) {
      banners.push(el('details', { class: 'banner warn' }, [
        el('summary', { text: s.mapping.warnings.length + ' mapping warning(s)' }),
        el('ul', {}, s.mapping.warnings.map(function (i) {
          return el('li', { class: 'mono', text: i.file + ':' + i.line + ' ' + (i.path ? i.path + ': ' : '') + i.message });
        })),
      ]));
    }
    fill($('banners'), banners);
  }

  var KIND_NAMES = { membership: 'membership', org: 'organization role', project: 'project access',
    module: 'module permissions', team: 'Team membership' };

  /** What this target can and cannot enforce, at the top, so nobody mistakes a task for a sync. */
  function renderCapabilities(s) {
    if (!s.reach) { fill($('capabilities'), []); return; }
    var groups = { enforced: [], assisted: [], unobservable: [] };
    Object.keys(s.reach.labels).forEach(function (kind) { groups[s.reach.labels[kind]].push(KIND_NAMES[kind] || kind); });
    if (s.reach.teamBindings) groups.assisted.push('Team project bindings');
    var rows = [
      ['enforced', 'Enforced: written to Heap and checked on every run', groups.enforced],
      ['assisted', 'Assisted: a Heap administrator makes the change, the next run verifies it', groups.assisted],
      ['unobservable', 'Not visible to the sync: a Heap administrator makes the change and marks it done; never reported as drift', groups.unobservable],
    ].filter(function (r) { return r[2].length; });
    var partial = groups.assisted.length + groups.unobservable.length > 0;
    fill($('capabilities'), [el('div', { class: 'banner ' + (partial ? 'info' : 'ok'), id: 'capability-banner', role: 'note' }, [
      el('h2', { text: partial ? 'This Heap target cannot enforce everything' : 'This Heap target enforces every entitlement' }),
      el('ul', {}, rows.map(function (r) {
        return el('li', { 'data-enforcement': r[0] }, [el('strong', { text: r[1] + ': ' }), r[2].join(', ')]);
      })),
    ])]);
  }

  function markTaskDone(task) {
    var note = window.prompt('Done in Heap: ' + task.step + '\nA note for the audit trail (optional):', '');
    if (note === null) return;
    act('Mark done', async function () {
      var body = note ? { note: note } : {};
      var done = await api('POST', '/api/tasks/' + encodeURIComponent(task.id) + '/done', body);
      toast('Task ' + done.id + ' marked done by ' + done.doneBy + (done.enforcement === 'assisted' ? '; the next run checks it' : '; the next run records it as attested'));
    });
  }

  function renderTasks(s) {
    var t = s.tasks;
    $('tasks-count').textContent = String(t.open + t.done);
    $('tasks-section').hidden = t.open + t.done === 0 && !(s.reach && (s.reach.teamBindings ||
      Object.keys(s.reach.labels).some(function (k) { return s.reach.labels[k] !== 'enforced'; })));
    if (!t.items.length) {
      fill($('tasks'), [el('p', { class: 'empty', text: 'No tasks: nothing waits for a Heap administrator.' })]);
      return;
    }
    var headers = ['Task', 'User', 'Before → after', 'Step in Heap', 'Why', 'Status'];
    if (isAdmin()) headers.push('Actions');
    var rows = t.items.map(function (task) {
      var row = [
        cell(el('code', { text: task.id })),
        cell(task.user),
        cell([el('code', { text: task.entitlement }), ' ', value(task.from), el('span', { class: 'arrow', text: '→' }), value(task.to)]),
        cell(el('span', { class: 'step', text: task.step })),
        cell(el('span', { class: 'note', text: task.why })),
        cell([badge(task.status, task.status === 'done' ? 'info' : 'warn'), ' ', badge(task.enforcement, 'info'),
          task.doneBy ? el('span', { class: 'note', text: ' by ' + task.doneBy }) : null]),
      ];
      if (isAdmin()) {
        row.push(cell(task.status === 'open' ? actionButton('Mark done', function () { markTaskDone(task); }) : ''));
      }
      return el('tr', { 'data-task': task.id, 'data-status': task.status }, row);
    });
    var more = t.open + t.done - t.items.length;
    fill($('tasks'), [table(headers, rows), more > 0 ? el('p', { class: 'note', text: 'and ' + more + ' more: heap-access-sync tasks list' }) : null]);
  }

  var GROUNDS = { 'org-admin': 'org Admin', 'production-admin': 'Admin on a production project', module: 'listed module' };

  /** Why the signed-in person may not decide this approval (four eyes), or null. */
  function notYours(a) {
    var me = (state.name || '').toLowerCase();
    if (a.user.toLowerCase() === me) return 'you would get this access: someone else decides';
    if (a.origin === 'exception' && a.requestedBy.toLowerCase() === me) return 'you asked for it: someone else decides';
    return null;
  }

  function renderApprovals() {
    var all = state.approvals;
    var waiting = all.filter(function (a) { return a.status === 'pending'; }).length;
    $('approvals-count').textContent = String(waiting);
    $('approvals-section').hidden = all.length === 0;
    if (!all.length) { fill($('approvals'), []); return; }
    var headers = ['User', 'Grant', 'Why it waits', 'Requested', 'Expires', 'Decision'];
    if (mayDecide()) headers.push('Actions');
    fill($('approvals'), [table(headers, all.map(function (a) {
      var requested = a.origin === 'idp'
        ? ['the IdP change', el('span', { class: 'note', text: ' (run ' + a.runId + ') ' }), when(a.createdAt)]
        : [el('span', { class: 'requester', text: a.requestedBy }), el('span', { class: 'note', text: ' (exception ' + a.exceptionId + ') ' }), when(a.createdAt)];
      var decision = a.status === 'pending'
        ? [badge('waiting', 'warn')]
        : [badge(a.status, a.status === 'rejected' ? 'bad' : 'ok'), a.decidedBy ? el('span', { class: 'decided-by', text: ' by ' + a.decidedBy }) : null,
          a.reason ? el('div', { class: 'note', text: a.reason }) : null,
          a.status === 'approved' ? el('div', { class: 'note', text: 'the next run applies it' }) : null];
      var row = [
        cell([a.user]),
        cell([el('code', { text: a.entitlement }), ' ', value(a.from), el('span', { class: 'arrow', text: '→' }), value(a.value)]),
        cell(GROUNDS[a.ground] || a.ground),
        cell(requested),
        cell(when(a.expiresAt)),
        cell(decision),
      ];
      if (mayDecide()) {
        var why = a.status === 'pending' ? notYours(a) : null;
        row.push(cell(a.status !== 'pending' ? '' : why ? el('span', { class: 'note', text: why }) : el('div', { class: 'actions' }, [
          actionButton('Approve', function () { openApprovalDialog(a, 'approve'); }, 'primary'),
          actionButton('Reject', function () { openApprovalDialog(a, 'reject'); }, 'danger'),
        ])));
      }
      return el('tr', { 'data-approval': a.id, 'data-status': a.status }, row);
    }))]);
  }

  function openApprovalDialog(a, decision) {
    state.approvalItem = { approval: a, decision: decision };
    $('approval-title').textContent = decision === 'approve' ? 'Approve this grant' : 'Reject this grant';
    fill($('approval-what'), [document.createTextNode(decision === 'approve' ? 'Give ' : 'Do not give '), el('strong', { text: a.user }), document.createTextNode(' '),
      el('code', { text: a.entitlement }), document.createTextNode(' '), value(a.value),
      document.createTextNode(decision === 'approve' ? ' (the next run applies it).' : ' (not asked again before the approval would have expired).')]);
    $('approval-submit').textContent = decision === 'approve' ? 'Approve' : 'Reject';
    $('approval-submit').className = decision === 'approve' ? 'primary' : 'danger';
    $('approval-reason').value = '';
    $('approval-error').hidden = true;
    $('approval-dialog').showModal();
    $('approval-reason').focus();
  }

  function wireApprovalDialog() {
    $('approval-cancel').addEventListener('click', function () { $('approval-dialog').close(); });
    $('approval-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var item = state.approvalItem;
      if (!item) return;
      $('approval-submit').disabled = true;
      api('POST', '/api/approvals/' + encodeURIComponent(item.approval.id), { decision: item.decision, reason: $('approval-reason').value })
        .then(function (decided) {
          $('approval-dialog').close();
          toast('Approval ' + decided.id + ' ' + decided.status + ' by ' + decided.decidedBy);
          return refresh(true);
        }, function (err) {
          $('approval-error').textContent = err.message;
          $('approval-error').hidden = false;
        }).finally(function () { $('approval-submit').disabled = false; });
    });
  }

  function renderToolbar() {
    if (!isAdmin()) { fill($('toolbar'), []); return; }
    fill($('toolbar'), [
      actionButton('Sync now', function () { runSync({}, 'Sync'); }, 'primary'),
      actionButton('Dry run', function () { runSync({ dryRun: true }, 'Dry run'); }),
    ]);
  }

  function renderHeld(s) {
    $('held-count').textContent = String(s.heldPlans.length);
    $('held-section').hidden = s.heldPlans.length === 0;
    fill($('held'), s.heldPlans.map(function (h) {
      var list = h.revocations.map(function (c) {
        return el('li', {}, [c.user + ' ', el('code', { text: c.entitlement }), ' ', value(c.from), el('span', { class: 'arrow', text: '→' }), value(c.to), ' ', facts(c),
          ' ', badge(c.cause, 'info'), reasonsList(c)]);
      });
      if (h.more) list.push(el('li', { text: 'and ' + h.more + ' more' }));
      return el('div', { class: 'held', 'data-run': h.runId }, [
        el('h3', {}, ['Run ', el('code', { text: h.runId }), ' held by ', el('code', { text: h.heldBy || 'a guard' }), ' ', when(h.createdAt)]),
        h.holdReason ? el('p', { class: 'hold-reason', text: 'Why: ' + h.holdReason + '.' }) : null,
        el('p', { text: h.summary.changes + ' change(s), ' + h.summary.revocations + ' revocation(s)' +
          (h.scope ? ' for ' + h.scope.join(', ') : '') + '. An approval applies it; revocations nobody saw are never authorised.' }),
        list.length ? el('ul', {}, list) : null,
        isAdmin() ? el('div', { class: 'actions' }, [
          actionButton('Approve and apply', function () {
            if (!window.confirm('Apply held plan ' + h.runId + ' (' + h.summary.revocations + ' revocation(s))?')) return;
            runSync({ approve: h.runId }, 'Approval');
          }, 'primary'),
        ]) : null,
      ]);
    }));
  }

  function showSideEffects(effects) {
    if (!effects.length) return 'no side effects';
    return 'side effects: ' + effects.map(function (e) {
      return e.entitlement + ' ' + (e.from === null ? '(none)' : e.from) + ' → ' + (e.to === null ? '(none)' : e.to);
    }).join('; ');
  }

  // the suggestion with the fewest side effects, what else it would change, and the alternatives
  function suggestionCell(item) {
    var parts = [el('span', { class: 'suggestion', text: item.suggestion })];
    if (item.sideEffects) parts.push(el('div', { class: 'side-effects', text: showSideEffects(item.sideEffects) }));
    (item.suggestions || []).slice(1).forEach(function (s) {
      parts.push(el('div', { class: 'suggestion-alt', text: 'or: ' + s.suggestion + ' (' + showSideEffects(s.sideEffects) + ')' }));
    });
    return parts;
  }

  function renderDrift(s) {
    var d = s.drift;
    $('drift-count').textContent = String(d.items.length);
    var basis = d.basis === 'live' ? 'Read from the sources and Heap ' : d.basis === 'journal' ? 'As the most recent run saw it, ' : '';
    fill($('drift-note'), d.asOf ? [document.createTextNode(basis), when(d.asOf), document.createTextNode(d.refreshing ? ' (refreshing…)' : '')] : []);
    if (!d.items.length) {
      fill($('drift'), [el('p', { class: 'empty', text: 'No drift: Heap matches the mapping and the last sync.' })]);
      return;
    }
    var headers = ['User', 'Entitlement', 'Baseline → Heap now', 'Mapping wants', 'Cause', 'Reverts at', 'Suggestion'];
    if (isAdmin()) headers.push('Actions');
    fill($('drift'), [table(headers, d.items.map(function (item) {
      var row = [
        cell([userLink(item.user), ' ', facts(item)]),
        cell([el('code', { text: item.entitlement }), item.enforcement && item.enforcement !== 'enforced' ? badge(item.enforcement, 'info') : null]),
        cell([value(item.baseline), el('span', { class: 'arrow', text: '→' }), value(item.actual)]),
        cell(value(item.desired)),
        cell([badge(item.cause, item.cause === 'conflict' ? 'bad' : 'warn'), ' ',
          badge(item.action === 'revert' ? 'will revert' : 'kept by policy', item.action === 'revert' ? 'bad' : 'info')]),
        cell(revertsAt(item), 'reverts-at'),
        cell(suggestionCell(item)),
      ];
      if (isAdmin()) {
        row.push(cell(el('div', { class: 'actions' }, [
          actionButton('Make an exception', function () { openExceptionDialog(item); }),
          item.action === 'revert' ? actionButton('Revert now', function () {
            if (!window.confirm('Revert ' + item.user + ' ' + item.entitlement + ' to ' + (item.desired === null ? '(none)' : item.desired) + ' now?')) return;
            runSync({ users: [item.user], revertNow: true }, 'Revert');
          }, 'danger') : null,
        ])));
      }
      return el('tr', { 'data-user': item.user, 'data-entitlement': item.entitlement }, row);
    }))]);
  }

  function renderRuns(s) {
    if (!s.runs.length) { fill($('runs'), [el('p', { class: 'empty', text: 'No runs yet.' })]); return; }
    fill($('runs'), [table(['Started', 'Trigger', 'Status', { label: 'Changes', num: 1 }, { label: 'Applied', num: 1 },
      { label: 'Failed', num: 1 }, { label: 'Blocked', num: 1 }, { label: 'Drift', num: 1 }, { label: 'Duration', num: 1 }, 'Run', 'Note'],
      s.runs.map(function (r) {
        var note = r.error || (r.approvedRun ? 'approves ' + r.approvedRun : '');
        return el('tr', { 'data-run': r.id }, [
          cell(when(r.startedAt)),
          cell([r.trigger, r.actor ? el('span', { class: 'note', text: ' by ' + r.actor }) : null]),
          cell(badge(r.status, STATUS_CLASS[r.status])),
          cell(String(r.changes), 'num'), cell(String(r.applied), 'num'), cell(String(r.failed), 'num'),
          cell(String(r.blocked), 'num'), cell(String(r.drift), 'num'), cell(duration(r.durationMs), 'num'),
          cell(el('a', { href: '#run=' + encodeURIComponent(r.id), class: 'run-link' }, [el('code', { text: r.id })])),
          cell(el('span', { class: 'note', text: note })),
        ]);
      }))]);
  }

  function renderActivity() {
    var all = state.activity;
    if (!all.length) { fill($('activity'), [el('p', { class: 'empty', text: 'Nobody has done anything yet.' })]); return; }
    fill($('activity'), [table(['When', 'Who', 'What', 'About', 'Reason or note'], all.map(function (a) {
      return el('tr', { 'data-ref': a.ref }, [cell(when(a.at)), cell(el('strong', { class: 'actor', text: a.actor })), cell(a.action),
        cell(a.subject ? el('span', { class: 'mono', text: a.subject }) : ''), cell(el('span', { class: 'note', text: a.detail || '' }))]);
    }))]);
  }

  function revokeException(e) {
    if (!window.confirm('Revoke exception ' + e.id + ' (' + e.user + ' ' + e.entitlement + ')? The next sync applies the mapping again.')) return;
    act('Revoke', async function () {
      await api('DELETE', '/api/exceptions/' + encodeURIComponent(e.id));
      toast('Exception ' + e.id + ' revoked');
    });
  }

  function renderExceptions() {
    var all = state.exceptions;
    var expiring = all.filter(function (e) { return Date.parse(e.expiresAt) - nowMs() <= EXPIRING_MS; }).length;
    $('exceptions-count').textContent = String(all.length);
    $('exceptions-expiring').textContent = expiring ? expiring + ' expire within 7 days' : '';
    if (!all.length) {
      fill($('exceptions'), [el('p', { class: 'empty', text: 'No active exception.' })]);
      return;
    }
    var headers = ['User', 'Entitlement', 'Value', 'Expires', 'Approver', 'Reason'];
    if (isAdmin()) headers.push('Actions');
    fill($('exceptions'), [table(headers, all.map(function (e) {
      var soon = Date.parse(e.expiresAt) - nowMs() <= EXPIRING_MS;
      var row = [cell(e.user), cell(el('code', { text: e.entitlement })), cell(value(e.value)),
        cell([when(e.expiresAt), soon ? ' ' : null, soon ? badge('expires soon', 'warn') : null]), cell(e.approver), cell(e.reason)];
      if (isAdmin()) row.push(cell(actionButton('Revoke', function () { revokeException(e); }, 'danger')));
      return el('tr', { 'data-exception': e.id }, row);
    }))]);
  }

  // ---- a run's page (#run=<id>): its plan, results, and the state before and after, from the journal ----------

  function runIdInHash() {
    var m = /^#run=(.+)$/.exec(window.location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function accessRows(before, after) {
    var users = Object.keys(Object.assign({}, before, after)).sort();
    var rows = [];
    users.forEach(function (user) {
      var b = before[user] || {};
      var a = after[user] || {};
      Object.keys(Object.assign({}, b, a)).sort().forEach(function (key) {
        var changed = (b[key] === undefined ? null : b[key]) !== (a[key] === undefined ? null : a[key]);
        rows.push(el('tr', { class: changed ? 'changed' : '', 'data-user': user, 'data-entitlement': key }, [
          cell(user), cell(el('code', { text: key })), cell(value(b[key])), cell(value(a[key])),
        ]));
      });
    });
    return rows;
  }

  function renderRunDetail(r) {
    $('run-id').textContent = r.id;
    var parts = [];
    parts.push(el('p', { class: 'run-facts' }, [badge(r.status, STATUS_CLASS[r.status]), ' ', r.trigger,
      r.actor ? ' by ' + r.actor : '', ', started ', when(r.startedAt), ', took ',
      duration(Date.parse(r.endedAt) - Date.parse(r.startedAt)),
      r.mappingVersion ? el('span', {}, [', mapping ', el('code', { text: r.mappingVersion.slice(0, 12) })]) : null,
      r.approvedRun ? el('span', {}, [', approves ', el('a', { href: '#run=' + encodeURIComponent(r.approvedRun) }, [el('code', { text: r.approvedRun })])]) : null,
      r.scope ? ', for ' + r.scope.join(', ') : '']));
    if (r.error) parts.push(el('p', { class: 'error', role: 'alert', text: r.error }));

    parts.push(el('h3', { text: 'Plan' }));
    if (!r.plan) parts.push(el('p', { class: 'empty', text: 'No plan: the run stopped before planning.' }));
    else {
      if (r.plan.held) parts.push(el('p', {}, ['Held by ', el('code', { text: r.plan.heldBy || 'a guard' }), '.']));
      parts.push(r.plan.changes.length ? el('div', { id: 'run-plan' }, [table(['User', 'Entitlement', 'Change', 'Cause', 'Reasons', 'Risk', 'Blocked by'],
        r.plan.changes.map(function (c) {
          return el('tr', { 'data-user': c.user, 'data-entitlement': c.entitlement }, [cell(c.user), cell(el('code', { text: c.entitlement })),
            cell([value(c.from), el('span', { class: 'arrow', text: '→' }), value(c.to)]), cell(badge(c.cause, 'info')),
            cell(reasonsList(c)), cell(c.risk.join(', ')), cell(c.blocked ? el('code', { text: c.blocked }) : '')]);
        }))]) : el('p', { class: 'empty', text: 'No change planned.' }));
      if (r.plan.drift.length) {
        parts.push(el('p', { text: r.plan.drift.length + ' drift item(s) found.' }));
      }
    }

    parts.push(el('h3', { text: 'Results' }));
    parts.push(r.results.length ? el('div', { id: 'run-results' }, [table(['User', 'Entitlement', 'Change', 'Outcome', 'Error'],
      r.results.map(function (x) {
        var kind = x.outcome === 'applied' ? 'ok' : x.outcome === 'failed' ? 'bad' : 'info';
        return el('tr', { 'data-user': x.change.user, 'data-entitlement': x.change.entitlement }, [cell(x.change.user),
          cell(el('code', { text: x.change.entitlement })),
          cell([value(x.change.from), el('span', { class: 'arrow', text: '→' }), value(x.change.to)]),
          cell(badge(x.outcome, kind)), cell(el('span', { class: 'note', text: x.error || '' }))]);
      }))]) : el('p', { class: 'empty', text: 'Nothing was applied.' }));

    parts.push(el('h3', { text: 'Heap before and after' }));
    var rows = accessRows(r.preSync || {}, r.postSync || {});
    parts.push(rows.length ? el('div', { id: 'run-state' }, [table(['User', 'Entitlement', 'Before', 'After'], rows)])
      : el('p', { class: 'empty', text: 'The run touched no user.' }));

    if (r.postSyncDiff && r.postSyncDiff.length) {
      parts.push(el('h3', { text: 'Still not as the mapping wants' }));
      parts.push(table(['User', 'Entitlement', 'Wanted', 'Heap', 'Why'], r.postSyncDiff.map(function (d) {
        return el('tr', {}, [cell(d.user), cell(el('code', { text: d.entitlement })), cell(value(d.desired)), cell(value(d.actual)), cell(d.why)]);
      })));
    }
    fill($('run-detail'), parts);
  }

  // ---- a user's page (#user=<email>): Heap now, what the mapping wants and why, exceptions, history -------------

  function userInHash() {
    var m = /^#user=(.+)$/.exec(window.location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function userLink(user) {
    return el('a', { href: '#user=' + encodeURIComponent(user), class: 'user-link', text: user });
  }

  function renderUserDetail(user, ex, history, activeExceptions) {
    var parts = [];
    var wants = {};
    ((ex && ex.explanation && ex.explanation.entitlements) || []).forEach(function (e) { wants[e.entitlement] = e; });
    var actual = (ex && ex.actual) || {};
    var keys = Object.keys(Object.assign({}, actual, wants)).sort();
    parts.push(el('h3', { text: 'Access: Heap now and what the mapping wants' }));
    parts.push(keys.length ? el('div', { id: 'user-access' }, [table(['Entitlement', 'Heap now', 'Mapping wants', 'Why'], keys.map(function (k) {
      var w = wants[k];
      var differs = (actual[k] === undefined ? null : actual[k]) !== (w ? w.value : null);
      return el('tr', { 'data-entitlement': k, class: differs ? 'changed' : '' }, [cell(el('code', { text: k })), cell(value(actual[k])),
        cell(value(w ? w.value : null)), cell(el('span', { class: 'note', text: w ? w.why : 'no rule grants it' }))]);
    }))]) : el('p', { class: 'empty', text: 'Neither Heap nor the mapping gives this user any access.' }));
    var exceptions = activeExceptions;
    parts.push(el('h3', { text: 'Active exceptions' }));
    parts.push(exceptions.length ? el('div', { id: 'user-exceptions' }, [table(['Entitlement', 'Value', 'Until', 'Approver', 'Reason'], exceptions.map(function (e) {
      return el('tr', { 'data-exception': e.id }, [cell(el('code', { text: e.entitlement })), cell(value(e.value)), cell(when(e.expiresAt)), cell(e.approver), cell(e.reason)]);
    }))]) : el('p', { class: 'empty', text: 'No active exception.' }));
    parts.push(el('h3', { text: 'History' }));
    parts.push(history.length ? el('div', { id: 'user-history' }, [table(['When', 'What', 'Reason', 'Approver', 'Temporary', 'By', 'Record'], history.map(function (h) {
      return el('tr', { 'data-kind': h.kind, 'data-entitlement': h.entitlement }, [cell(when(h.at)), cell(h.summary + (h.outcome && h.outcome !== 'applied' ? ' (' + h.outcome + ')' : '')),
        cell(el('span', { class: 'note', text: h.reason || '' })), cell(h.approver || ''), cell(h.until ? 'until ' + h.until.slice(0, 16).replace('T', ' ') : 'permanent'),
        cell((h.trigger || '') + (h.actor ? ' by ' + h.actor : '')),
        cell(el('a', { href: '#run=' + encodeURIComponent(h.record) }, [el('code', { text: h.record })]))]);
    }))]) : el('p', { class: 'empty', text: 'No journal record touches this user.' }));
    fill($('user-detail'), parts);
  }

  async function showUser(user) {
    $('user-id').textContent = user;
    fill($('user-detail'), [el('p', { class: 'note', text: 'Loading…' })]);
    var path = '/api/users/' + encodeURIComponent(user);
    try {
      var found = await Promise.all([
        api('GET', path + '/explain').catch(function (err) { if (err.message === 'signed out') throw err; return null; }),
        api('GET', path + '/history'),
        api('GET', '/api/exceptions'),
      ]);
      var mine = (found[2].exceptions || []).filter(function (e) { return e.user === user.toLowerCase(); });
      renderUserDetail(user, found[0], found[1].history || [], mine);
    } catch (err) {
      if (err.message !== 'signed out') fill($('user-detail'), [el('p', { class: 'error', role: 'alert', text: err.message })]);
    }
  }

  async function showRoute() {
    var user = userInHash();
    var id = user === null ? runIdInHash() : null;
    $('overview').hidden = id !== null || user !== null;
    $('run-view').hidden = id === null;
    $('user-view').hidden = user === null;
    if (user !== null) return showUser(user);
    if (id === null) return;
    fill($('run-detail'), [el('p', { class: 'note', text: 'Loading…' })]);
    $('run-id').textContent = id;
    try {
      renderRunDetail(await api('GET', '/api/journal/' + encodeURIComponent(id)));
    } catch (err) {
      if (err.message !== 'signed out') fill($('run-detail'), [el('p', { class: 'error', role: 'alert', text: err.message })]);
    }
  }

  function renderSources(s) {
    fill($('sources'), [table(['Source', 'Type', 'Last read', { label: 'Users', num: 1 }, { label: 'Groups', num: 1 }, 'Health'],
      s.sources.map(function (src) {
        return el('tr', {}, [cell(el('strong', { text: src.name })), cell(src.type), cell(when(src.lastReadAt)),
          cell(src.users === null ? '–' : String(src.users), 'num'), cell(src.groups === null ? '–' : String(src.groups), 'num'),
          cell(src.healthy ? badge('OK', 'ok') : [badge('Error', 'bad'), ' ', el('span', { class: 'note', text: src.lastError })])]);
      }))]);
  }

  function render(force) {
    var s = state.status;
    if (!s) return;
    // Re-rendering moves keyboard focus: only redraw when something changed (or an action flips the buttons).
    var signature = JSON.stringify([s.runs, s.drift.items, s.drift.error, s.heldPlans, state.exceptions, s.sources, s.mapping, s.lastSuccessfulSyncAt, s.reach, s.tasks, state.approvals, state.activity]);
    if (force || signature !== state.signature) {
      state.signature = signature;
      renderFacts(s); renderCapabilities(s); renderBanners(s); renderToolbar(); renderHeld(s); renderApprovals(); renderDrift(s); renderTasks(s); renderRuns(s); renderActivity();
      renderExceptions(); renderSources(s);
    }
    fill($('refreshed'), [document.createTextNode('Refreshed ' + new Date().toLocaleTimeString() + '; refreshes every ' + POLL_MS / 1000 + ' s.')]);
  }

  async function refresh(force) {
    clearTimeout(state.timer);
    try {
      var all = await Promise.all([api('GET', '/api/status'), api('GET', '/api/exceptions'), api('GET', '/api/approvals'),
        api('GET', '/api/activity')]);
      state.status = all[0];
      state.exceptions = all[1].exceptions.slice().sort(function (a, b) { return a.expiresAt < b.expiresAt ? -1 : 1; });
      state.approvals = all[2].approvals;
      state.activity = all[3].activity;
      render(force);
    } catch (err) {
      if (err.message === 'signed out') return;
      fill($('refreshed'), [document.createTextNode('Last refresh failed: ' + err.message)]);
    }
    state.timer = setTimeout(refresh, POLL_MS);
  }

  // ---- exception dialog ------------------------------------------------------------------------------------------

  function openExceptionDialog(item) {
    state.dialogItem = item;
    fill($('exception-what'), [document.createTextNode('Keep '), el('strong', { text: item.user }), document.createTextNode(' '),
      el('code', { text: item.entitlement }), document.createTextNode(' at '), value(item.actual),
      document.createTextNode(' (the mapping wants '), value(item.desired), document.createTextNode(').')]);
    $('exception-reason').value = '';
    $('exception-approver').value = '';
    $('exception-error').hidden = true;
    $('exception-dialog').showModal();
    $('exception-reason').focus();
  }

  function wireDialog() {
    $('exception-cancel').addEventListener('click', function () { $('exception-dialog').close(); });
    $('exception-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var item = state.dialogItem;
      if (!item) return;
      var body = { fromDrift: { user: item.user, entitlement: item.entitlement },
        reason: $('exception-reason').value, expires: $('exception-expires').value };
      // the signed-in person asks; the approver is someone else (four eyes: the server says so when it is missing)
      var approver = $('exception-approver').value.trim();
      if (approver) body.approver = approver;
      $('exception-submit').disabled = true;
      api('POST', '/api/exceptions', body).then(function (created) {
        $('exception-dialog').close();
        toast('Exception ' + created.id + ' keeps ' + created.user + ' ' + created.entitlement + ' until ' + new Date(created.expiresAt).toLocaleString());
        return refresh(true);
      }, function (err) {
        $('exception-error').textContent = err.message;
        $('exception-error').hidden = false;
      }).finally(function () { $('exception-submit').disabled = false; });
    });
  }

  // ---- start -----------------------------------------------------------------------------------------------------

  var LOGIN_PROBLEMS = {
    failed: 'That token is not valid, or the identity provider did not sign you in.',
    'no-role': 'You are signed in with the identity provider, but none of your groups may use this dashboard.',
    'no-email': 'The identity provider did not tell us your e-mail address.',
    expired: 'The sign-in took too long or was started in another browser: try again.',
    'idp-unreachable': 'The identity provider cannot be reached right now: try again, or use a token.'
  };

  function showLogin(problem) {
    clearTimeout(state.timer);
    $('app').hidden = true;
    $('who').hidden = true;
    $('login').hidden = false;
    $('login-error').hidden = !problem;
    if (problem) $('login-error').textContent = LOGIN_PROBLEMS[problem] || LOGIN_PROBLEMS.failed;
    fill($('facts'), []);
    fetch('/auth/methods', { credentials: 'same-origin' }).then(function (res) { return res.json(); }).then(function (methods) {
      if (!methods.idp) return;
      $('idp-link').textContent = 'Sign in with ' + methods.idp;
      $('idp-sign-in').hidden = false;
    }, function () { /* token sign-in still works */ });
  }

  async function start() {
    wireDialog();
    wireApprovalDialog();
    var failed = new URLSearchParams(window.location.search).get('login');
    var me;
    try {
      me = await api('GET', '/api/whoami');
    } catch (err) {
      showLogin(failed);
      return;
    }
    state.role = me.role;
    state.name = me.name;
    $('login').hidden = true;
    $('who-text').textContent = 'Signed in as ' + me.name + ' (' + me.role + ')';
    $('who').hidden = false;
    $('app').hidden = false;
    document.body.setAttribute('data-role', me.role);
    window.addEventListener('hashchange', showRoute);
    await showRoute();
    await refresh(true);
  }

  document.addEventListener('DOMContentLoaded', start);
})();
`;
