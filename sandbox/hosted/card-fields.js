// The sandbox's card fields. The card number and CVC go to this origin's
// vault (POST /v1/tokens) and nowhere else; the parent window gets only the
// token and the card's metadata, by postMessage to the one origin the page
// was served for.
"use strict";
(function () {
  var form = document.getElementById("card");
  var parentOrigin = form.dataset.parentOrigin;
  var key = form.dataset.key;
  var lang = form.dataset.lang;
  var number = document.getElementById("number");
  var exp = document.getElementById("exp");
  var cvc = document.getElementById("cvc");
  var holder = document.getElementById("holder");
  var brandEl = document.getElementById("brand");
  var pay = document.getElementById("pay");
  var payLabel = pay.textContent;
  var config = { rules: [], messages: {} };
  var fields = { "card.number": number, "card.exp_month": exp, "card.exp_year": exp, "card.cvc": cvc, "card.holder": holder };

  fetch("/v1/hosted/card-fields/config?lang=" + encodeURIComponent(lang))
    .then(function (r) { return r.json(); })
    .then(function (c) { config = c; format(); });

  function digits(s) { return s.replace(/\D/g, ""); }

  // rule is the IIN table's most specific row the digits start with (as
  // payment.DetectBrand reads it).
  function rule(d) {
    var best = null;
    config.rules.forEach(function (r) {
      var n = r.lo.length;
      if (d.length < n || (best && n <= best.lo.length)) { return; }
      var p = d.slice(0, n);
      if (r.lo <= p && p <= r.hi) { best = r; }
    });
    return best;
  }

  // groups is how the card's number is printed: 4-6-5 (American Express,
  // 15 digits), 4-6-4 (14 digits), else fours.
  function groups(d, r) {
    var sizes = [4, 4, 4, 4, 4];
    if (r && r.brand === "amex") { sizes = [4, 6, 5]; }
    else if (r && r.brand === "diners" && d.length === 14) { sizes = [4, 6, 4]; }
    var out = [], i = 0;
    for (var g = 0; g < sizes.length && i < d.length; g++) { out.push(d.slice(i, i + sizes[g])); i += sizes[g]; }
    return out.join(" ");
  }

  function format() {
    var d = digits(number.value);
    var r = rule(d);
    var max = r ? Math.max.apply(null, r.lengths) : 19;
    d = d.slice(0, max);
    number.value = groups(d, r);
    brandEl.textContent = r ? r.name : "";
    form.dataset.brand = r ? r.brand : "";
    cvc.maxLength = r ? r.cvc : 4;
  }

  function formatExp(ev) {
    var d = digits(exp.value).slice(0, 4);
    if (d.length === 1 && d > "1") { d = "0" + d; }
    var deleting = ev && ev.inputType && ev.inputType.indexOf("delete") === 0;
    exp.value = d.length > 2 || (d.length === 2 && !deleting) ? d.slice(0, 2) + " / " + d.slice(2) : d;
  }

  number.addEventListener("input", function () { clear(number); format(); });
  exp.addEventListener("input", function (ev) { clear(exp); formatExp(ev); });
  cvc.addEventListener("input", function () { clear(cvc); cvc.value = digits(cvc.value); });
  holder.addEventListener("input", function () { clear(holder); });

  function errorEl(input) { return document.getElementById(input.id + "-error"); }
  function clear(input) { input.removeAttribute("aria-invalid"); errorEl(input).textContent = ""; }
  function show(input, msg) {
    input.setAttribute("aria-invalid", "true");
    errorEl(input).textContent = msg;
    input.focus();
  }

  // expiry reads "MM / YY" as month and four-digit year (payment.CheckCard
  // wants four digits; a card printed 12/30 expires in 2030).
  function expiry() {
    var d = digits(exp.value);
    var m = parseInt(d.slice(0, 2), 10) || 0;
    var y = d.slice(2);
    var year = y.length === 2 ? 2000 + parseInt(y, 10) : (parseInt(y, 10) || 0);
    return { month: m, year: year };
  }

  function busy(on) {
    pay.disabled = on;
    pay.textContent = on ? pay.dataset.busy : payLabel;
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    [number, exp, cvc, holder].forEach(clear);
    document.getElementById("form-error").textContent = "";
    var e = expiry();
    busy(true);
    fetch("/v1/tokens", {
      method: "POST",
      headers: { "Authorization": "Bearer " + key, "Content-Type": "application/json" },
      body: JSON.stringify({ number: digits(number.value), exp_month: e.month, exp_year: e.year, cvc: cvc.value, holder: holder.value.trim() })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      if (res.status === 201) {
        var c = res.body.card;
        // The number and CVC stay here: the fields are emptied before the
        // parent hears of the token.
        number.value = ""; cvc.value = "";
        window.parent.postMessage({ type: "cardflow:token", token: c.token, brand: c.brand, last4: c.last4, exp_month: c.exp_month, exp_year: c.exp_year }, parentOrigin);
        return;
      }
      busy(false);
      var err = res.body.error || {};
      var msg = config.messages[err.reason] || err.message || config.messages.unavailable;
      var input = fields[err.field];
      if (input) { show(input, msg); } else { document.getElementById("form-error").textContent = msg; }
    }).catch(function () {
      busy(false);
      document.getElementById("form-error").textContent = config.messages.unavailable || "";
    });
  });

  // The parent asks for another card after a decline: the fields start over.
  window.addEventListener("message", function (ev) {
    if (ev.origin !== parentOrigin || !ev.data || ev.data.type !== "cardflow:another-card") { return; }
    [number, exp, cvc, holder].forEach(function (i) { i.value = ""; clear(i); });
    brandEl.textContent = "";
    busy(false);
    number.focus();
  });
})();
