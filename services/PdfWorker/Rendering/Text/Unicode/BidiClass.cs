namespace Sts.PdfWorker.Rendering.Text.Unicode;

/// <summary>The Unicode Bidi_Class property values (UAX #9, table 4), by their short names.</summary>
internal enum BidiClass : byte
{
    L, R, AL,
    EN, ES, ET, AN, CS, NSM, BN,
    B, S, WS, ON,
    LRE, LRO, RLE, RLO, PDF, LRI, RLI, FSI, PDI,
}
