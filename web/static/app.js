/* rebill's progressive JavaScript: charts from data-chart attributes
 * (JSON written by the server: {"type","labels","series":[{"label","data"}]}),
 * and period pickers that submit on change. No inline script anywhere: the
 * Content-Security-Policy allows only files from this origin. */
'use strict';

function rebillCharts() {
	if (typeof Chart === 'undefined')
		return;
	document.querySelectorAll('canvas[data-chart]').forEach(function (el) {
		var spec = JSON.parse(el.getAttribute('data-chart'));
		var colors = ['#64748b', '#2563eb', '#16a34a', '#d97706'];
		var chart = new Chart(el, {
			type: spec.type || 'bar',
			data: {
				labels: spec.labels,
				datasets: spec.series.map(function (s, i) {
					return {
						label: s.label,
						/* the amounts arrive as decimal strings; a chart is a picture */
						data: s.data.map(Number),
						backgroundColor: colors[i % colors.length],
						borderColor: colors[i % colors.length]
					};
				})
			},
			options: { responsive: true, maintainAspectRatio: false, animation: false }
		});
		el.setAttribute('data-rendered', String(chart.data.datasets.length));
	});
}

function rebillAutosubmit() {
	document.querySelectorAll('select[data-autosubmit]').forEach(function (el) {
		el.addEventListener('change', function () { el.form.submit(); });
	});
}

document.addEventListener('DOMContentLoaded', function () {
	rebillCharts();
	rebillAutosubmit();
});
