using WedSync.Api.OperatorConsole.Charts;

namespace WedSync.Tests.Console;

/// <summary>Issue 28: a chart's SVG scales with its box (a viewBox), so a phone sees all of it rather than a cropped strip.</summary>
public sealed class ScalableChartTests
{
    [Fact]
    public void Every_console_chart_is_drawn_with_a_viewBox_of_its_size()
    {
        var times = Enumerable.Range(0, 5).Select(i => DateTimeOffset.UnixEpoch.AddHours(i)).ToList();
        var values = new List<double> { 1, 3, 2, 5, 4 };
        var charts = new[]
        {
            (ConsoleCharts.LineChart(times, values, "ms").Value, "0 0 720 280"),
            (ConsoleCharts.Sparkline(times, values).Value, "0 0 160 40"),
            (WaitTimeChart.Lines(times, [("Lock", values)]).Value, "0 0 720 300"),
        };

        Assert.All(charts, chart => Assert.Contains($"viewBox=\"{chart.Item2}\"", chart.Value, StringComparison.Ordinal));
    }

    [Fact]
    public void A_viewBox_already_there_is_kept()
    {
        const string svg = "<svg width=\"10\" height=\"5\" viewBox=\"0 0 20 10\"></svg>";
        Assert.Equal(svg, ScalableSvg.WithViewBox(svg, 10, 5));
    }
}
