using CrossMedia.Data.Builtin;

namespace CrossMedia.Tests.Data.Builtin;

/// <summary>A fact that is skipped, with the reason, when the TuxPaint stamps package is not installed.</summary>
public sealed class TuxPaintFactAttribute : FactAttribute
{
    public TuxPaintFactAttribute()
    {
        if (!Directory.Exists(TuxPaintOptions.DefaultStampsRoot))
            Skip = $"{TuxPaintOptions.DefaultStampsRoot} is missing (apt-get install tuxpaint-stamps-default; scripts/install-deps.sh installs it)";
    }
}
