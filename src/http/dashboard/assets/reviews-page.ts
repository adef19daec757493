/**
 * The reviewer's page: the shell only. Its script fills it from /api/reviews, so nothing from outside (e-mails,
 * reasons) is interpolated into markup on the server.
 */
export const REVIEWS_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Access reviews · heap-access-sync</title>
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/reviews.js" defer></script>
</head>
<body>
<header class="top">
  <h1>Access reviews</h1>
  <div class="facts" id="facts" aria-live="polite"></div>
  <div class="who"><span id="who-text"></span> <a href="/" class="back">Dashboard</a></div>
</header>
<main id="app">
  <p class="error" id="error" role="alert" hidden></p>
  <section class="card" aria-labelledby="h-campaigns">
    <h2 id="h-campaigns">Campaigns</h2>
    <div id="campaigns"></div>
  </section>
  <section class="card" aria-labelledby="h-items" id="items-section" hidden>
    <h2 id="h-items">Your items in <code id="campaign-id"></code> <span class="count" id="progress"></span></h2>
    <p class="note">Decide each item with a justification: keep, revoke, reduce (to a lower value) or make permanent.
      Your own access is never among your items: another reviewer decides it.</p>
    <div id="items"></div>
  </section>
</main>
</body>
</html>
`;
