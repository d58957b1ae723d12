extern alias ScottPlotLib;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using SP = ScottPlotLib::ScottPlot;

namespace WedSync.Api.OperatorConsole.Charts;

/// <summary>
/// A chart's SVG that scales with its box: ScottPlot (through Skia's SVG canvas) writes width and height
/// but no viewBox, so a phone's max-width: 100% shrank the box and cropped the drawing to a strip. With
/// a viewBox the drawing scales to the width and keeps its proportions (height: auto in console.css).
/// </summary>
public static partial class ScalableSvg
{
    public static MarkupString Of(SP.Plot plot, int width, int height) => new(WithViewBox(plot.GetSvgHtml(width, height), width, height));

    public static string WithViewBox(string svg, int width, int height)
    {
        var root = SvgRoot().Match(svg);
        if (!root.Success || root.Value.Contains("viewBox", StringComparison.Ordinal))
        {
            return svg;
        }

        var viewBox = string.Create(CultureInfo.InvariantCulture, $" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMidYMid meet\"");
        return svg.Insert(root.Index + "<svg".Length, viewBox);
    }

    [GeneratedRegex("<svg\\b[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex SvgRoot();
}
