// A consent banner: revokes the pixel's consent on every page until the
// shopper accepts; with ?grant in the URL it accepts for them after 300 ms.
fbq('consent', 'revoke');
if (/[?&]grant\b/.test(location.search)) {
  setTimeout(function () { fbq('consent', 'grant'); }, 300);
}
