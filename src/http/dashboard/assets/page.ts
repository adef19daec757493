/**
 * The dashboard's HTML shell. It holds no data: the script fills it from /api/status, so nothing from outside
 * (e-mails, reasons, error messages) is ever interpolated into markup on the server.
 */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>heap-access-sync</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>heap-access-sync</h1>
  <div class="facts" id="facts" aria-live="polite"></div>
  <div class="who" id="who" hidden>
    <span id="who-text"></span>
    <form method="post" action="/logout"><button type="submit">Sign out</button></form>
  </div>
</header>

<section class="login" id="login" hidden>
  <h2>Sign in</h2>
  <p class="error" id="login-error" role="alert" hidden>That token is not valid.</p>
  <p id="idp-sign-in" hidden><a class="button primary" id="idp-link" href="/auth/login">Sign in with your identity provider</a></p>
  <form method="post" action="/login" id="token-form">
    <p class="note">Or with a service account's token (ADMIN_TOKEN, VIEWER_TOKEN, server.tokens). The browser keeps a session id, never the token.</p>
    <label for="login-token">Access token</label>
    <input type="password" id="login-token" name="token" required autocomplete="current-password">
    <p><button type="submit">Sign in</button></p>
  </form>
</section>

<main id="app" hidden>
  <div id="capabilities"></div>
  <div id="banners"></div>
  <section class="card" aria-labelledby="h-run" id="run-view" hidden>
    <p><a href="#" id="run-back">← Back to the overview</a></p>
    <h2 id="h-run">Run <code id="run-id"></code></h2>
    <div id="run-detail"></div>
  </section>
  <section class="card" aria-labelledby="h-user" id="user-view" hidden>
    <p><a href="#" id="user-back">← Back to the overview</a></p>
    <h2 id="h-user">User <code id="user-id"></code></h2>
    <div id="user-detail"></div>
  </section>
  <div id="overview">
  <div class="toolbar" id="toolbar"></div>
  <section class="card" aria-labelledby="h-held" id="held-section">
    <h2 id="h-held">Held plans <span class="count" id="held-count">0</span></h2>
    <div id="held"></div>
  </section>
  <section class="card" aria-labelledby="h-approvals" id="approvals-section">
    <h2 id="h-approvals">Pending approvals <span class="count" id="approvals-count">0</span></h2>
    <p class="note">Grants policy.approvals names wait here for an approver; the rest of each run went on. Someone other than the person who gets the access, and other than whoever asked for it, decides; the next run applies an approved grant.</p>
    <div id="approvals"></div>
  </section>
  <section class="card" aria-labelledby="h-drift">
    <h2 id="h-drift">Open drift <span class="count" id="drift-count">0</span></h2>
    <p class="note" id="drift-note"></p>
    <div id="drift"></div>
  </section>
  <section class="card" aria-labelledby="h-tasks" id="tasks-section">
    <h2 id="h-tasks">Tasks for a Heap administrator <span class="count" id="tasks-count">0</span></h2>
    <p class="note">Changes this target cannot write: make each one in Heap's UI, then mark it done.</p>
    <div id="tasks"></div>
  </section>
  <section class="card" aria-labelledby="h-runs">
    <h2 id="h-runs">Recent runs</h2>
    <div id="runs"></div>
  </section>
  <section class="card" aria-labelledby="h-activity">
    <h2 id="h-activity">Who did what</h2>
    <p class="note">The signed-in person (their e-mail, proven by the identity provider) or the service account behind each action, newest first.</p>
    <div id="activity"></div>
  </section>
  <section class="card" aria-labelledby="h-exceptions">
    <h2 id="h-exceptions">Active exceptions <span class="count" id="exceptions-count">0</span>
      <span class="note" id="exceptions-expiring"></span></h2>
    <div id="exceptions"></div>
  </section>
  <section class="card" aria-labelledby="h-sources">
    <h2 id="h-sources">Identity sources</h2>
    <div id="sources"></div>
  </section>
  </div>
  <p class="note" id="refreshed" aria-live="off"></p>
</main>

<dialog id="exception-dialog" aria-labelledby="exception-title">
  <form id="exception-form" method="dialog">
    <h2 id="exception-title">Make an exception</h2>
    <p id="exception-what"></p>
    <p class="note">Heap keeps its current value until the exception expires; then the next sync applies the mapping again.</p>
    <label for="exception-reason">Reason <span class="hint">(auditors read this)</span></label>
    <input type="text" id="exception-reason" name="reason" required maxlength="2000">
    <label for="exception-approver">Approved by <span class="hint">(someone other than you: four eyes)</span></label>
    <input type="text" id="exception-approver" name="approver" maxlength="200" autocomplete="email">
    <label for="exception-expires">Expires after</label>
    <select id="exception-expires" name="expires">
      <option value="1d">1 day</option>
      <option value="3d">3 days</option>
      <option value="7d" selected>7 days</option>
      <option value="14d">14 days</option>
      <option value="30d">30 days</option>
      <option value="90d">90 days</option>
    </select>
    <p class="error" id="exception-error" role="alert" hidden></p>
    <div class="actions">
      <button type="button" id="exception-cancel">Cancel</button>
      <button type="submit" class="primary" id="exception-submit">Create exception</button>
    </div>
  </form>
</dialog>

<dialog id="approval-dialog" aria-labelledby="approval-title">
  <form id="approval-form" method="dialog">
    <h2 id="approval-title">Decide a grant</h2>
    <p id="approval-what"></p>
    <label for="approval-reason">Reason <span class="hint">(auditors read this)</span></label>
    <input type="text" id="approval-reason" name="reason" required maxlength="2000">
    <p class="error" id="approval-error" role="alert" hidden></p>
    <div class="actions">
      <button type="button" id="approval-cancel">Cancel</button>
      <button type="submit" class="primary" id="approval-submit">Approve</button>
    </div>
  </form>
</dialog>

<div id="toast" role="status" aria-live="polite"></div>
</body>
</html>
`;
