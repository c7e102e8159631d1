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

/* The imports page: a CUR file is sent as the request body (the server
 * streams it to disk) with the session's CSRF token, then the job's
 * progress endpoint is polled until it is done or failed. */
function rebillUpload() {
	var form = document.querySelector('form[data-upload]');
	if (!form || typeof XMLHttpRequest === 'undefined')
		return;
	var bar = document.getElementById('import-progress');
	var status = document.getElementById('import-status');
	function say(state, text) {
		status.setAttribute('data-state', state);
		status.textContent = text;
	}
	function poll(id) {
		var x = new XMLHttpRequest();
		x.open('GET', '/api/v1/imports/' + encodeURIComponent(id));
		x.onload = function () {
			var j;
			try { j = JSON.parse(x.responseText); } catch (e) { j = null; }
			if (!j || x.status !== 200) {
				say('failed', 'import ' + id + ': no progress (' + x.status + ')');
				return;
			}
			if (j.total_bytes > 0) {
				bar.max = j.total_bytes;
				bar.value = j.bytes;
			}
			if (j.state === 'running') {
				say('running', 'importing: ' + j.bytes + ' of ' + j.total_bytes + ' bytes, ' +
					j.rows + ' rows read');
				setTimeout(function () { poll(id); }, 400);
			} else if (j.state === 'done') {
				bar.value = bar.max;
				say('done', 'done: ' + j.result.rows + ' rows from ' + j.result.files +
					' file(s)' + (j.result.warnings.length ? '; ' + j.result.warnings.join('; ') : ''));
			} else {
				say('failed', 'failed, nothing imported: ' + j.error);
			}
		};
		x.onerror = function () { say('failed', 'the server did not answer'); };
		x.send();
	}
	form.hidden = false;
	form.addEventListener('submit', function (ev) {
		ev.preventDefault();
		var file = form.querySelector('input[type=file]').files[0];
		if (!file)
			return;
		var x = new XMLHttpRequest();
		x.open('POST', form.getAttribute('data-upload') + '?name=' + encodeURIComponent(file.name));
		x.setRequestHeader('X-CSRF-Token', form.querySelector('input[name=csrf]').value);
		x.setRequestHeader('Content-Type', 'application/octet-stream');
		bar.hidden = false;
		bar.max = file.size || 1;
		bar.value = 0;
		say('uploading', 'uploading ' + file.name);
		x.upload.onprogress = function (e) {
			if (e.lengthComputable) {
				bar.max = e.total;
				bar.value = e.loaded;
			}
		};
		x.onload = function () {
			var j;
			try { j = JSON.parse(x.responseText); } catch (e) { j = null; }
			if (x.status === 202 && j) {
				bar.value = 0;
				say('running', 'import ' + j.id + ' started');
				poll(j.id);
			} else {
				say('failed', 'refused: ' + (j && j.error ? j.error.message : x.status));
			}
		};
		x.onerror = function () { say('failed', 'the upload failed'); };
		x.send(file);
	});
}

document.addEventListener('DOMContentLoaded', function () {
	rebillCharts();
	rebillAutosubmit();
	rebillUpload();
});
