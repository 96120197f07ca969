// The payment page. The card fields are the processor's iframe; this page
// hears only their token (postMessage, from the processor's origin alone),
// asks cardflow to pay with it and shows the customer payment message. When
// the card needs 3-D Secure, cardflow answers the processor's challenge page
// and the browser goes there; the challenge comes back to cardflow, which
// sends the customer back here (data-returned) to hear the outcome.
"use strict";
(function () {
  var main = document.getElementById("pay");
  var frame = document.getElementById("card-fields");
  var processor = main.dataset.processorOrigin;
  var message = document.getElementById("message");
  var status = main.dataset.attempt.replace(/\/attempt$/, "/status");

  function show(text, kind) {
    message.className = "message " + (kind || "");
    message.textContent = text;
  }

  function post(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json(); });
  }

  // settled takes the card fields and the cancel button away once there is
  // nothing left to pay: the customer sees the outcome alone, not a form
  // still busy with the card just paid, while the page leaves for the shop.
  function settled() {
    var card = frame && frame.parentNode;
    if (card) { card.hidden = true; }
    var cancel = document.getElementById("cancel");
    if (cancel) { cancel.hidden = true; }
  }

  // answer shows the outcome; a challenge goes to the issuer's page at once;
  // a decline asks the card fields for another card.
  function answer(res) {
    show(res.message || main.dataset.error, res.outcome);
    if (res.outcome === "paid") { settled(); }
    if (res.redirect) {
      var wait = res.outcome === "challenge" ? 300 : 1500;
      setTimeout(function () { window.location.assign(res.redirect); }, wait);
      return;
    }
    if (res.pending) {
      setTimeout(function () { post(status).then(answer); }, 700);
      return;
    }
    if (frame) { frame.contentWindow.postMessage({ type: "cardflow:another-card" }, processor); }
  }

  if (main.dataset.returned) {
    post(status).then(answer, function () { answer({}); });
  }
  if (!frame) { return; }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== processor || !ev.data || ev.data.type !== "cardflow:token") { return; }
    show(main.dataset.paying, "");
    post(main.dataset.attempt, { token: ev.data.token }).then(answer, function () { answer({}); });
  });

  document.getElementById("cancel").addEventListener("click", function () {
    post(main.dataset.cancel).then(function (res) {
      if (res.redirect) { settled(); window.location.assign(res.redirect); return; }
      show(res.message || main.dataset.error, res.outcome);
    });
  });
})();
