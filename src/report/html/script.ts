/**
 * The page's only script: niceties on top of tables that already read fine without it — click a
 * header to sort, and a switch to hide reused layers. Reads data only from the DOM (data-v attributes).
 */
export const SCRIPT = `
(function () {
  function value(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? 0 : '';
    var v = cell.getAttribute('data-v');
    if (numeric) return v === null ? parseFloat(cell.textContent) || 0 : parseFloat(v);
    return (cell.textContent || '').trim().toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.classList.add('js');
    var headers = table.querySelectorAll('thead th');
    headers.forEach(function (th, index) {
      if (th.classList.contains('nosort')) return;
      th.tabIndex = 0;
      function sort() {
        var numeric = th.getAttribute('data-type') === 'num';
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        headers.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = value(a, index, numeric), y = value(b, index, numeric);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    });
  });
  var layers = document.querySelector('table.layers');
  var reused = layers ? layers.querySelectorAll('tr[data-status="reused"]') : [];
  if (layers && reused.length > 0) {
    var label = document.createElement('label');
    label.className = 'toolbar';
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.id = 'hide-reused';
    box.addEventListener('change', function () {
      reused.forEach(function (r) { r.hidden = box.checked; });
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(' hide the ' + reused.length + ' reused layers'));
    layers.parentNode.insertBefore(label, layers);
  }
  document.documentElement.setAttribute('data-script', 'ran');
})();
`;
