using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace WedSync.Api.OperatorConsole.Charts;

/// <summary>
/// Rendered charts kept while their data is unchanged. Drawing a sparkline costs milliseconds (ScottPlot
/// through SkiaSharp's SVG canvas, ~16 ms on a loaded 2-core machine), so the Overview's seven would cost
/// more than the page's render budget; the gauge samples change once per Monitoring:GaugeHistoryInterval,
/// so each chart is drawn once per new sample. One entry per key (the fixed gauge names): bounded.
/// </summary>
public sealed class ChartCache
{
    private readonly ConcurrentDictionary<string, (string Version, MarkupString Chart)> charts = new(StringComparer.Ordinal);

    /// <summary>The chart drawn for this version of the data, drawing it when the version changed.</summary>
    public MarkupString GetOrDraw(string key, string version, Func<MarkupString> draw)
    {
        if (charts.TryGetValue(key, out var cached) && cached.Version == version)
        {
            return cached.Chart;
        }

        var chart = draw();
        charts[key] = (version, chart);
        return chart;
    }
}
