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
            return new MarkupString(plot.GetSvgHtml(width, height));
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
            return new MarkupString(plot.GetSvgHtml(width, height));
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
