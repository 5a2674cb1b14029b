// Draws one chart with Chart.js. Loaded as a module by ChartView.razor, so the page needs no inline script.
import '../../lib/chartjs/chart.umd.min.js';

// Bootstrap 5's palette, so the charts match the rest of the page.
const palette = ['#0d6efd', '#198754', '#fd7e14', '#6f42c1', '#dc3545', '#20c997', '#ffc107', '#0dcaf0', '#6c757d', '#d63384', '#343a40'];

const charts = new WeakMap();

export function render(canvas, spec) {
    // The page moved on (an enhanced navigation) between the render and this call: nothing to draw on.
    if (!canvas?.isConnected) {
        return;
    }
    const Chart = globalThis.Chart;
    const existing = charts.get(canvas);
    if (existing) {
        existing.destroy();
    }
    const single = spec.datasets.length === 1;
    const round = spec.type === 'doughnut';
    const datasets = spec.datasets.map((d, i) => ({
        label: d.label,
        data: d.values,
        backgroundColor: round || (single && spec.colorEachBar) ? spec.labels.map((_, j) => palette[j % palette.length]) : palette[i % palette.length],
        borderColor: round ? '#fff' : palette[i % palette.length],
        borderWidth: round ? 2 : 0,
        borderRadius: round ? 0 : 3,
    }));
    const options = {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        plugins: {
            legend: { display: round || !single, position: 'bottom' },
            tooltip: spec.percent ? { callbacks: { label: c => `${c.dataset.label}: ${c.parsed[spec.horizontal ? 'x' : 'y']}%` } } : {},
        },
    };
    if (!round) {
        const valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
        if (spec.percent) {
            valueAxis.max = 100;
            valueAxis.ticks.callback = v => `${v}%`;
        }
        options.scales = spec.horizontal ? { x: valueAxis } : { y: valueAxis };
    }
    charts.set(canvas, new Chart(canvas, { type: round ? 'doughnut' : 'bar', data: { labels: spec.labels, datasets }, options }));
    // Lets a test (or a person in the inspector) see that the chart was drawn, not only that the canvas exists.
    canvas.dataset.chartDrawn = '';
}

export function destroy(canvas) {
    charts.get(canvas)?.destroy();
    charts.delete(canvas);
}
