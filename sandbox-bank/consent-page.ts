/** The sandbox's consent page: what the user sees at the aggregator before their bank is linked. */
export function consentPage(institutionName: string, linkToken: string): string {
  const name = institutionName.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Link ${name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}button{font-size:1.1rem;padding:.6rem 1.4rem}</style>
</head><body>
<h1>Link ${name}</h1>
<p>The coach will read your accounts, balances and transactions at ${name}. It cannot move money.</p>
<form method="post" action="/link/${encodeURIComponent(linkToken)}/allow"><button type="submit">Allow</button></form>
</body></html>`;
}
