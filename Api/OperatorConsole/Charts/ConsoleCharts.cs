extern alias ScottPlotLib;
using Microsoft.AspNetCore.Components;
using SP = ScottPlotLib::ScottPlot;

namespace WedSync.Api.OperatorConsole.Charts;

/// <summary>
/// The console's charts: ScottPlot draws them on the server as inline SVG, so the browser loads no
/// charting script and nothing from a CDN. Each chart is one series over time (UTC on the axis); the
/// page puts it in a figure with a text alternative, since an SVG of paths says nothing to a screen reader.
/// </summary>
public static class ConsoleCharts
{
    // Fluent UI's accent blue and neutral greys, so charts sit in the console's look.
    private static readonly SP.Color Line = SP.Color.FromHex("#0F6CBD");
    private static readonly SP.Color Ink = SP.Color.FromHex("#424242");
    private static readonly SP.Color Grid = SP.Color.FromHex("#E0E0E0");

    // Series of a multi-line chart: Fluent UI's blue, green and purple, each with a pattern and marker of its own.
    private static readonly (SP.Color Color, SP.LinePattern Pattern, SP.MarkerShape Marker)[] Styles =
    [
        (Line, SP.LinePattern.Solid, SP.MarkerShape.FilledCircle),
        (SP.Color.FromHex("#107C10"), SP.LinePattern.Dashed, SP.MarkerShape.FilledSquare),
        (SP.Color.FromHex("#8764B8"), SP.LinePattern.Dotted, SP.MarkerShape.FilledTriangleUp),
    ];

    /// <summary>A line chart with date axis and a labelled value axis; width and height in CSS pixels.</summary>
    public static MarkupString LineChart(IReadOnlyList<DateTimeOffset> times, IReadOnlyList<double> values, string valueLabel, int width = 720, int height = 280)
    {
        var plot = new SP.Plot();
        try
        {
            Series(plot, times, values, markers: times.Count < 40);
            plot.Axes.DateTimeTicksBottom();
            plot.YLabel(valueLabel);
            plot.XLabel("UTC");
            plot.Axes.Color(Ink);
            plot.Grid.MajorLineColor = Grid;
            return ScalableSvg.Of(plot, width, height);
        }
        finally
        {
            plot.Dispose();
        }
    }

    /// <summary>A sparkline: the series alone, no axes, grid or margins (the page states the numbers in text).</summary>
    public static MarkupString Sparkline(IReadOnlyList<DateTimeOffset> times, IReadOnlyList<double> values, int width = 160, int height = 40)
    {
        var plot = new SP.Plot();
        try
        {
            Series(plot, times, values, markers: times.Count < 3);
            plot.HideAxesAndGrid();
            plot.Layout.Frameless();
            plot.FigureBackground.Color = SP.Colors.Transparent;
            plot.DataBackground.Color = SP.Colors.Transparent;
            return ScalableSvg.Of(plot, width, height);
        }
        finally
        {
            plot.Dispose();
        }
    }

    /// <summary>
    /// Counts per UTC day, one line per series with a legend below; the series differ in colour, line
    /// pattern and marker, so they stay apart without colour. Width and height in CSS pixels.
    /// </summary>
    public static MarkupString DailyCounts(IReadOnlyList<DateOnly> days, IReadOnlyList<(string Label, IReadOnlyList<long> Counts)> series, int width = 720, int height = 300)
    {
        var plot = new SP.Plot();
        try
        {
            var xs = days.Select(d => d.ToDateTime(TimeOnly.MinValue).ToOADate()).ToArray();
            for (var i = 0; i < series.Count; i++)
            {
                var (color, pattern, marker) = Styles[i % Styles.Length];
                var line = plot.Add.Scatter(xs, series[i].Counts.Select(c => (double)c).ToArray());
                line.LegendText = series[i].Label;
                line.Color = color;
                line.LineWidth = 2;
                line.LinePattern = pattern;
                line.MarkerShape = marker;
                line.MarkerSize = xs.Length < 40 ? 5 : 0;
            }

            plot.Axes.DateTimeTicksBottom();
            plot.XLabel("UTC day");
            plot.YLabel("count per day");
            plot.Axes.Color(Ink);
            plot.Grid.MajorLineColor = Grid;
            plot.ShowLegend(SP.Edge.Bottom);
            var highest = series.SelectMany(s => s.Counts).DefaultIfEmpty(0).Max();
            // Counts start at 0; a flat zero series still gets a visible axis.
            plot.Axes.SetLimitsY(0, Math.Max(1, highest * 1.1));
            if (xs.Length == 1)
            {
                plot.Axes.SetLimitsX(xs[0] - 1, xs[0] + 1);
            }

            return ScalableSvg.Of(plot, width, height);
        }
        finally
        {
            plot.Dispose();
        }
    }

    private static void Series(SP.Plot plot, IReadOnlyList<DateTimeOffset> times, IReadOnlyList<double> values, bool markers)
    {
        var xs = times.Select(t => t.UtcDateTime.ToOADate()).ToArray();
        var ys = values.ToArray();
        var scatter = plot.Add.Scatter(xs, ys);
        scatter.Color = Line;
        scatter.LineWidth = 2;
        scatter.MarkerSize = markers ? 5 : 0;
        if (xs.Length == 1)
        {
            // One point has no extent: give the axes some, or the point sits on the frame.
            plot.Axes.SetLimitsX(xs[0] - 1.0 / 24, xs[0] + 1.0 / 24);
        }

        if (ys.Length > 0 && ys.Min() == ys.Max())
        {
            plot.Axes.SetLimitsY(ys[0] - 1, ys[0] + 1);
        }
    }
}
