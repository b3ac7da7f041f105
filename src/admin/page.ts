/**
 * The operator console's page, rendered here: its landmarks, headings, forms and empty regions. It
 * holds no data, so it is served without the token; its script (console/app.js, a plain module, no
 * build) asks for the token once per browser tab and fills the regions from the admin API.
 */
export function consolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bridge console</title>
<link rel="stylesheet" href="/console/style.css">
<script type="module" src="/console/app.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>OCPI–OICP bridge console</h1>
  <nav aria-label="Sections">
    <ul>
      <li><a href="#overview">Overview</a></li>
      <li><a href="#exchanges">Exchanges</a></li>
      <li><a href="#held">Held items</a></li>
    </ul>
  </nav>
  <form id="token-form" class="token">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit">Use token</button>
  </form>
</header>
<p id="status" role="status" aria-live="polite"></p>
<main id="main">
  <section id="overview" aria-labelledby="overview-title">
    <h2 id="overview-title">Overview</h2>
    <div id="overview-body"><p>Enter the admin token to see the bridge.</p></div>
  </section>
  <section id="exchanges" aria-labelledby="exchanges-title">
    <h2 id="exchanges-title">Exchanges</h2>
    <form id="search-form" class="search" role="search">
      <label for="ref">Find by id (EvseID, location id, session id, Hubject SessionID, CDR id, token uid, EvcoID)</label>
      <input id="ref" name="ref" type="search" maxlength="200">
      <button type="submit">Search</button>
    </form>
    <h3 id="results-title" tabindex="-1">Latest exchanges</h3>
    <ol id="results" class="timeline"></ol>
  </section>
  <section id="exchange" aria-labelledby="exchange-title" hidden>
    <h2 id="exchange-title" tabindex="-1">Exchange</h2>
    <div class="sides">
      <section aria-labelledby="ocpi-title"><h3 id="ocpi-title">OCPI side</h3><div id="side-ocpi"></div></section>
      <section aria-labelledby="bridge-title"><h3 id="bridge-title">Bridge: findings, outbox, deliveries</h3><div id="side-bridge"></div></section>
      <section aria-labelledby="oicp-title"><h3 id="oicp-title">OICP side</h3><div id="side-oicp"></div></section>
    </div>
  </section>
  <section id="held" aria-labelledby="held-title">
    <h2 id="held-title">Held items</h2>
    <h3>Dead letters</h3>
    <div id="dead-letters"></div>
    <h3>Accepted but not forwarded</h3>
    <div id="held-items"></div>
  </section>
</main>
</body>
</html>
`;
}
