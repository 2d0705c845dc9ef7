(function () {
  var form = document.getElementById('filter');
  var table = document.querySelector('table.pairs');
  if (!form || !table) return;
  var body = table.tBodies[0], original = Array.prototype.slice.call(body.rows);
  var pagers = document.querySelectorAll('nav.pager');
  var status = document.getElementById('filter-status');
  var less = document.getElementById('filter-less'), more = document.getElementById('filter-more');
  var per = parseInt(table.getAttribute('data-rows'), 10) || 200;
  var data = null, hits = [], first = 0, timer = 0;
  form.hidden = false;
  function withData(then) {
    if (data) return then();
    var s = document.createElement('script');
    s.src = 'pairs.js';
    s.onload = function () { data = window.dubarePairs || []; then(); };
    s.onerror = function () { status.textContent = 'pairs.js could not be loaded'; };
    document.head.appendChild(s);
  }
  function cell(tr, text, cls) {
    var td = tr.insertCell();
    if (cls) td.className = cls;
    if (text !== null) td.textContent = text;
    return td;
  }
  function id(td, text, href) {
    var b = document.createElement('bdi');
    b.className = 'id'; b.dir = 'ltr'; b.textContent = text;
    if (!href) return td.appendChild(b);
    var a = document.createElement('a');
    a.href = href; a.appendChild(b); td.appendChild(a);
  }
  function row(i) {
    var p = data[i], href = 'pairs/' + (i + 1) + '.html', tr = document.createElement('tr');
    var a = document.createElement('a');
    a.href = href; a.textContent = String(i + 1);
    cell(tr, null, 'num').appendChild(a);
    cell(tr, p[4].toFixed(2), 'num');
    id(cell(tr, null), p[0], href);
    if (p[1] === '') cell(tr, '(the same document)'); else id(cell(tr, null), p[1], null);
    cell(tr, String(p[2]), 'num');
    cell(tr, String(p[3]), 'num');
    return tr;
  }
  function pagersHidden(hidden) {
    for (var k = 0; k < pagers.length; ++k) pagers[k].hidden = hidden;
  }
  function show() {
    body.textContent = '';
    var end = Math.min(first + per, hits.length);
    for (var k = first; k < end; ++k) body.appendChild(row(hits[k]));
    status.textContent = hits.length + ' of ' + data.length + (data.length === 1 ? ' pair' : ' pairs') +
        (hits.length === 1 ? ' matches' : ' match') +
        (hits.length > per ? '; showing ' + (first + 1) + '\u2013' + end : '');
    less.hidden = first === 0;
    more.hidden = end >= hits.length;
  }
  function apply() {
    var q = form.elements.q.value.trim().toLowerCase();
    var min = parseFloat(form.elements.min.value);
    if (!q && !(min > 0)) {
      body.textContent = '';
      original.forEach(function (tr) { body.appendChild(tr); });
      status.textContent = '';
      less.hidden = more.hidden = true;
      pagersHidden(false);
      return;
    }
    withData(function () {
      hits = [];
      first = 0;
      for (var i = 0; i < data.length; ++i) {
        var p = data[i];
        if (min > 0 && p[4] < min) break;  // most similar first
        if (q && p[0].toLowerCase().indexOf(q) < 0 && p[1].toLowerCase().indexOf(q) < 0) continue;
        hits.push(i);
      }
      pagersHidden(true);
      show();
    });
  }
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  less.addEventListener('click', function () { first = Math.max(0, first - per); show(); });
  more.addEventListener('click', function () { first += per; show(); });
})();
