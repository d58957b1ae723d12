extern alias ScottPlotLib;
using Microsoft.AspNetCore.Components;
using SP = ScottPlotLib::ScottPlot;

namespace WedSync.Api.OperatorConsole.Charts;

/// <summary>Database time per wait event type over time, one line per type, drawn on the server as inline SVG like <see cref="ConsoleCharts"/>.</summary>
public static class WaitTimeChart
{
    private static readonly SP.Color Ink = SP.Color.FromHex("#424242");
    private static readonly SP.Color Grid = SP.Color.FromHex("#E0E0E0");

    // Colour, pattern and marker differ per line, so the types stay apart without colour.
    private static readonly (string Color, SP.LinePattern Pattern, SP.MarkerShape Marker)[] Styles =
    [
        ("#0F6CBD", SP.LinePattern.Solid, SP.MarkerShape.FilledCircle),
        ("#107C10", SP.LinePattern.Dashed, SP.MarkerShape.FilledSquare),
        ("#8764B8", SP.LinePattern.Dotted, SP.MarkerShape.FilledTriangleUp),
        ("#C50F1F", SP.LinePattern.DenselyDashed, SP.MarkerShape.FilledDiamond),
        ("#8E562E", SP.LinePattern.Solid, SP.MarkerShape.OpenCircle),
        ("#616161", SP.LinePattern.Dashed, SP.MarkerShape.OpenSquare),
    ];

    /// <summary>One line per series over the same steps; seconds of database time per step on the value axis.</summary>
    public static MarkupString Lines(IReadOnlyList<DateTimeOffset> steps, IReadOnlyList<(string Label, IReadOnlyList<double> Seconds)> series, int width = 720, int height = 300)
    {
        var plot = new SP.Plot();
        try
        {
            var xs = steps.Select(t => t.UtcDateTime.ToOADate()).ToArray();
            for (var i = 0; i < series.Count; i++)
            {
                var (color, pattern, marker) = Styles[i % Styles.Length];
                var line = plot.Add.Scatter(xs, series[i].Seconds.ToArray());
                line.LegendText = series[i].Label;
                line.Color = SP.Color.FromHex(color);
                line.LineWidth = 2;
                line.LinePattern = pattern;
                line.MarkerShape = marker;
                line.MarkerSize = xs.Length < 40 ? 5 : 0;
            }

            plot.Axes.DateTimeTicksBottom();
            plot.XLabel("UTC");
            plot.YLabel("database time per step (s)");
            plot.Axes.Color(Ink);
            plot.Grid.MajorLineColor = Grid;
            if (series.Count > 0)
            {
                plot.ShowLegend(SP.Edge.Bottom);
            }

            var highest = series.SelectMany(s => s.Seconds).DefaultIfEmpty(0).Max();
            plot.Axes.SetLimitsY(0, Math.Max(1, highest * 1.1));
            return ScalableSvg.Of(plot, width, height);
        }
        finally
        {
            plot.Dispose();
        }
    }
}
