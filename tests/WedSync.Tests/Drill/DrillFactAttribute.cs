namespace WedSync.Tests.Drill;

/// <summary>Runs only when asked (<c>WEDSYNC_DRILL=1</c>, as <c>bench/drill/run.sh</c> does): minutes of held locks and load.</summary>
public sealed class DrillFactAttribute : FactAttribute
{
    public DrillFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("WEDSYNC_DRILL") != "1")
        {
            Skip = "Manual: bench/drill/run.sh (WEDSYNC_DRILL=1) runs the wedding-day drill.";
        }
    }
}
