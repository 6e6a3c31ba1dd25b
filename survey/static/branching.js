/* Progressive enhancement: show or hide questions on this page as soon as an answer changes,
   by evaluating the same expression trees the server uses (sent as JSON by the engine).
   Without this script the server reveals them after the page is sent. */
(function () {
  "use strict";
  var form = document.querySelector("form.page-form");
  var dataNode = document.getElementById("answers-data");
  if (!form || !dataNode) return;
  var stored = JSON.parse(dataNode.textContent || "{}");
  var questions = Array.prototype.slice.call(form.querySelectorAll(".question[data-name]"));
  var shownInput = form.querySelector('input[name="shown"]');

  function isEmpty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0); }
  function truthy(v) { return !isEmpty(v) && v !== false && v !== 0; }
  function asNumber(v) {
    if (typeof v === "number") return isFinite(v) ? v : null;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string" && /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(v)) return parseFloat(v);
    return null;
  }
  function asText(v) { return isEmpty(v) ? "" : Array.isArray(v) ? v.join(" ") : String(v); }
  function equal(a, b) {
    if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
    if (typeof a === "boolean" || typeof b === "boolean") return truthy(a) === truthy(b);
    if (typeof a === "number" || typeof b === "number") {
      var x = asNumber(a), y = asNumber(b);
      return x !== null && y !== null && x === y;
    }
    return asText(a) === asText(b);
  }
  function ordered(op, a, b) {
    if (isEmpty(a) || isEmpty(b)) return false;
    var x = asNumber(a), y = asNumber(b);
    if (x === null || y === null) { x = asText(a); y = asText(b); }
    return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
  }
  function arithmetic(op, a, b) {
    if (isEmpty(a) || isEmpty(b)) return null;
    var x = asNumber(a), y = asNumber(b);
    if (x === null || y === null) throw new Error("not a number");
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (y === 0) return null;
    return op === "div" ? x / y : x % y;
  }
  function selected(sel, v) {
    if (isEmpty(sel)) return false;
    var items = Array.isArray(sel) ? sel.map(asText) : asText(sel).split(/\s+/);
    return items.indexOf(asText(v)) !== -1;
  }
  function today() {
    var d = new Date(), m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }
  function evaluate(node, values) {
    var kind = node[0];
    if (kind === "lit") return node[1];
    if (kind === "ref") return values[node[1]];
    if (kind === "cur") throw new Error("no current value");
    if (kind === "neg") { var n = evaluate(node[1], values); return isEmpty(n) ? null : -asNumber(n); }
    if (kind === "op") {
      var op = node[1];
      if (op === "and") return truthy(evaluate(node[2], values)) && truthy(evaluate(node[3], values));
      if (op === "or") return truthy(evaluate(node[2], values)) || truthy(evaluate(node[3], values));
      var a = evaluate(node[2], values), b = evaluate(node[3], values);
      if (op === "=") return equal(a, b);
      if (op === "!=") return !equal(a, b);
      if (op === "<" || op === "<=" || op === ">" || op === ">=") return ordered(op, a, b);
      return arithmetic(op, a, b);
    }
    if (kind === "call") {
      var name = node[1], args = node[2];
      var arg = function (i) { return evaluate(args[i], values); };
      switch (name) {
        case "true": return true;
        case "false": return false;
        case "today": return today();
        case "not": return !truthy(arg(0));
        case "if": return truthy(arg(0)) ? arg(1) : arg(2);
        case "coalesce": var first = arg(0); return isEmpty(first) ? arg(1) : first;
        case "selected": return selected(arg(0), arg(1));
        case "count-selected": var s = arg(0); return isEmpty(s) ? 0 : Array.isArray(s) ? s.length : asText(s).split(/\s+/).length;
        case "string-length": return asText(arg(0)).length;
      }
    }
    throw new Error("unknown expression");
  }
  function fieldValue(box) {
    var name = box.getAttribute("data-name"), type = box.getAttribute("data-type");
    if (type === "note") return null;
    if (type === "select_multiple") {
      return Array.prototype.map.call(box.querySelectorAll('input[name="' + name + '"]:checked'), function (i) { return i.value; });
    }
    if (type === "select_one" || type === "yes_no" || type === "likert") {
      var checked = box.querySelector('input[name="' + name + '"]:checked');
      if (!checked) return null;
      return type === "likert" ? parseInt(checked.value, 10) : checked.value;
    }
    var input = box.querySelector('[name="' + name + '"]');
    var raw = input ? input.value.trim() : "";
    if (raw === "") return null;
    if (type === "integer" || type === "decimal" || type === "percent") {
      var number = asNumber(raw.replace(",", "."));
      return number === null ? raw : number;
    }
    return raw;
  }
  // The answer as the review page shows it (answering.presenting.display_value), for texts
  // that show an answer given earlier on this page; "" when there is none.
  function display(box) {
    if (!box || box.hidden) return "";
    var name = box.getAttribute("data-name"), type = box.getAttribute("data-type");
    if (type === "note") return "";
    var checked = box.querySelectorAll('input[name="' + name + '"]:checked');
    if (checked.length) {
      return Array.prototype.map.call(checked, function (input) {
        var label = box.querySelector('label[for="' + input.id + '"]');
        return label ? label.textContent.trim() : input.value;
      }).join(", ");
    }
    var input = box.querySelector('[name="' + name + '"]');
    var raw = input && input.value ? input.value.trim() : "";
    if (raw === "" || input.type === "radio" || input.type === "checkbox") return "";
    if (type === "date") {
      var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
      return parts ? parts[3] + "." + parts[2] + "." + parts[1] : raw;
    }
    if (type === "integer" || type === "decimal" || type === "percent") {
      // A decimal comma in Norwegian, a point in English, as the server writes numbers.
      var number = document.documentElement.lang === "en" ? raw.replace(",", ".") : raw.replace(".", ",");
      return type === "percent" ? number + " %" : number;
    }
    return raw;
  }
  var piped = Array.prototype.slice.call(form.querySelectorAll("[data-pipe]"));
  function pipe() {
    piped.forEach(function (node) {
      var others = {};
      try { others = JSON.parse(node.getAttribute("data-pipe-values") || "{}"); } catch (e) { /* none */ }
      // textContent: an answer is shown as the text it is, never as markup.
      node.textContent = node.getAttribute("data-pipe").replace(/\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g, function (whole, name) {
        var box = form.querySelector('.question[data-name="' + name + '"]');
        var value = box ? display(box) : others[name];
        return value ? value : "\u2026";
      });
    });
  }
  function update() {
    var values = {};
    for (var key in stored) if (Object.prototype.hasOwnProperty.call(stored, key)) values[key] = stored[key];
    var shown = [];
    questions.forEach(function (box) {
      var name = box.getAttribute("data-name");
      var expression = box.getAttribute("data-relevant");
      var visible = !box.hidden;
      if (expression) {
        try { visible = truthy(evaluate(JSON.parse(expression), values)); } catch (e) { /* the server decides */ }
      }
      box.hidden = !visible;
      values[name] = visible ? fieldValue(box) : null;
      if (visible) shown.push(name);
    });
    if (shownInput) shownInput.value = shown.join(" ");
    // A Likert grid's box (its lead text) is shown while any of its statements is.
    Array.prototype.forEach.call(form.querySelectorAll(".likert-grid"), function (grid) {
      grid.hidden = !grid.querySelector(".question[data-name]:not([hidden])");
    });
    if (piped.length) pipe();
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
