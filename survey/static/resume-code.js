/* The saved «continue» link carries the resume code in its fragment (#kode=…), which the
   browser never sends to the server, so the code stays out of access logs. This puts the
   code in the form on the welcome page and sends it by POST. Without JavaScript the
   respondent types the code shown beside the link. */
(function () {
  "use strict";
  var match = /^#kode=([A-Za-z0-9-]{1,40})$/.exec(window.location.hash);
  var input = document.getElementById("code");
  if (!match || !input || !input.form) return;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  input.value = match[1];
  input.form.submit();
})();
