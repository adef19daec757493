/** The dashboard's stylesheet, embedded so `tsc` output serves it without copying assets. */
export const DASHBOARD_CSS = String.raw`
:root {
  --fg: #1b1f24; --muted: #57606a; --bg: #f6f8fa; --card: #ffffff; --line: #d0d7de;
  --accent: #0b5cad; --accent-fg: #ffffff; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e;
  --ok-bg: #dafbe1; --warn-bg: #fff8c5; --bad-bg: #ffebe9; --info-bg: #ddf4ff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); line-height: 1.45;
}
* { box-sizing: border-box; }
body { margin: 0; }
header.top { background: #24292f; color: #fff; padding: 0.75rem 1.5rem; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline; }
header.top h1 { font-size: 1.15rem; margin: 0; }
header.top .facts { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; font-size: 0.9rem; color: #d0d7de; }
header.top .facts strong { color: #fff; font-weight: 600; }
header.top .who { margin-left: auto; display: flex; gap: 0.75rem; align-items: center; font-size: 0.9rem; }
header.top button { background: transparent; color: #fff; border-color: #8c959f; }
main { max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; padding: 0.75rem 1rem 1rem; }
section.card > h2 { font-size: 1.05rem; margin: 0.25rem 0 0.75rem; display: flex; gap: 0.5rem; align-items: center; }
.count { background: var(--bg); border: 1px solid var(--line); border-radius: 999px; padding: 0 0.5rem; font-size: 0.85rem; font-weight: 500; }
.empty { color: var(--muted); margin: 0.25rem 0; }
.note { color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.02em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td code { white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; }
.badge { display: inline-block; border-radius: 4px; padding: 0 0.4rem; font-size: 0.8rem; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok); border-color: #4ac26b; }
.badge.warn { background: var(--warn-bg); color: var(--warn); border-color: #d4a72c; }
.badge.bad { background: var(--bad-bg); color: var(--bad); border-color: #ff8182; }
.badge.info { background: var(--info-bg); color: var(--accent); border-color: #54aeff; }
.banner { border-radius: 8px; padding: 0.75rem 1rem; margin: 1rem 0; border: 1px solid; }
.banner.bad { background: var(--bad-bg); border-color: #ff8182; color: #82071e; }
.banner.warn { background: var(--warn-bg); border-color: #d4a72c; color: #4d2d00; }
.banner.info { background: #ddf4ff; border-color: #54aeff; color: #0a3069; }
.banner.ok { background: #dafbe1; border-color: #4ac26b; color: #0f5323; }
.step { font-size: 0.9rem; }
.banner h2 { font-size: 1rem; margin: 0 0 0.25rem; }
.banner ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
button, .button { white-space: nowrap; font: inherit; font-size: 0.875rem; border: 1px solid var(--line); background: #f6f8fa; color: var(--fg); border-radius: 6px; padding: 0.25rem 0.75rem; cursor: pointer; }
button:hover { border-color: var(--muted); }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0969da; outline-offset: 1px; }
button.primary, .button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.danger { color: var(--bad); }
button:disabled { opacity: 0.6; cursor: progress; }
.actions { display: flex; gap: 0.4rem; flex-wrap: wrap; }
td .actions { flex-direction: column; align-items: stretch; }
.scroll { overflow-x: auto; }
.toolbar { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin-bottom: 0.5rem; }
.arrow { color: var(--muted); padding: 0 0.2rem; }
.held { border: 1px solid #d4a72c; background: #fffdf0; border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.5rem 0; }
.held h3 { font-size: 0.95rem; margin: 0 0 0.25rem; }
.suggestion { color: var(--muted); font-size: 0.85rem; }
.side-effects, .suggestion-alt { color: var(--muted); font-size: 0.8rem; }
#toast { position: fixed; right: 1rem; bottom: 1rem; max-width: 28rem; }
#toast p { background: #24292f; color: #fff; padding: 0.6rem 0.9rem; border-radius: 6px; margin: 0.25rem 0; box-shadow: 0 4px 12px rgba(0,0,0,.2); }
#toast p.bad { background: #82071e; }
section.login { max-width: 26rem; margin: 3rem auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; }
section.login h2 { margin-top: 0; font-size: 1.1rem; }
a.button { display: inline-block; text-decoration: none; padding: 0.45rem 1rem; }
label { display: block; font-weight: 600; font-size: 0.9rem; margin: 0.75rem 0 0.25rem; }
input[type=text], input[type=password], select { font: inherit; width: 100%; padding: 0.4rem 0.5rem; border: 1px solid #8c959f; border-radius: 6px; }
.hint { font-weight: 400; color: var(--muted); font-size: 0.8rem; }
.error { color: var(--bad); font-weight: 600; }
dialog { border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; max-width: 32rem; width: 92vw; }
dialog::backdrop { background: rgba(27,31,36,.5); }
dialog h2 { margin-top: 0; font-size: 1.05rem; }
dialog .actions { margin-top: 1rem; justify-content: flex-end; }
ul.reasons { margin: 0.15rem 0 0; padding-left: 1.1rem; color: var(--muted); font-size: 0.85rem; }
tr.changed td { background: #fff8c5; }
#run-view h3 { font-size: 0.95rem; margin: 1rem 0 0.4rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
`;
