namespace Sts.PdfWorker.Rendering.Text.Unicode;

/// <summary>
/// The Unicode Bidirectional Algorithm (UAX #9, Unicode 15.0) for one paragraph: resolved embedding levels
/// (rules P2–P3, X1–X10, W1–W7, N0–N2, I1–I2), then, per line, L1 and the visual order of L2.
/// Checked against the whole of Unicode's BidiCharacterTest.txt (tests/PdfWorker.Tests/Unicode).
/// </summary>
/// <remarks>
/// Works on code points. Characters removed by X9 (embedding and override controls, BN) take no part in
/// the resolution; they are given the level of the character before them so a line can still be cut
/// anywhere, and <see cref="IsRemoved"/> tells them apart (they are invisible and leave the visual order).
/// </remarks>
internal sealed class BidiParagraph
{
    private const int MaxDepth = 125;
    private const int MaxBracketPairs = 63;

    private readonly int[] _codePoints;
    private readonly BidiClass[] _original;
    private readonly BidiClass[] _types;
    private readonly byte[] _levels;
    private readonly int[] _matchingPdi;
    private readonly int[] _matchingInitiator;

    private BidiParagraph(ReadOnlySpan<int> codePoints, int direction)
    {
        _codePoints = codePoints.ToArray();
        var n = _codePoints.Length;
        _original = new BidiClass[n];
        for (var i = 0; i < n; i++)
            _original[i] = UnicodeBidiData.ClassOf(_codePoints[i]);
        _types = (BidiClass[])_original.Clone();
        _levels = new byte[n];
        (_matchingPdi, _matchingInitiator) = MatchIsolates(_original);
        ParagraphLevel = direction is 0 or 1 ? (byte)direction : FirstStrongLevel(0, n) ?? 0;

        ResolveExplicit();
        // sos and eos compare embedding levels, before any sequence's levels are resolved.
        var embedding = (byte[])_levels.Clone();
        foreach (var sequence in IsolatingRunSequences())
            ResolveSequence(sequence, embedding);
        for (var i = 0; i < n; i++)
        {
            if (IsRemoved(i))
                _levels[i] = i > 0 ? _levels[i - 1] : ParagraphLevel;
        }
    }

    /// <summary>0 for a left-to-right paragraph, 1 for right-to-left.</summary>
    public byte ParagraphLevel { get; }

    public int Length => _codePoints.Length;

    /// <summary>Resolves <paramref name="codePoints"/> as one paragraph: direction 0 (LTR), 1 (RTL), or -1 to take it from the first strong character (P2–P3).</summary>
    public static BidiParagraph Resolve(ReadOnlySpan<int> codePoints, int direction = -1) => new(codePoints, direction);

    /// <summary>The resolved embedding level of <paramref name="index"/>, before the per-line rule L1.</summary>
    public byte Level(int index) => _levels[index];

    /// <summary>True for a character X9 removes: embedding and override controls and boundary neutrals.</summary>
    public bool IsRemoved(int index) => IsRemovedClass(_original[index]);

    /// <summary>The levels of the line [start, end) after rule L1.</summary>
    public byte[] LineLevels(int start, int end)
    {
        var levels = _levels.AsSpan(start, end - start).ToArray();
        // L1: separators, and whitespace (isolate controls and removed characters included) before them or at the line's end, go to the paragraph level.
        var trailing = true;
        for (var i = end - 1; i >= start; i--)
        {
            var type = _original[i];
            if (type is BidiClass.S or BidiClass.B)
            {
                levels[i - start] = ParagraphLevel;
                trailing = true;
            }
            else if (trailing && (type is BidiClass.WS or BidiClass.FSI or BidiClass.LRI or BidiClass.RLI or BidiClass.PDI || IsRemovedClass(type)))
                levels[i - start] = ParagraphLevel;
            else
                trailing = false;
        }
        return levels;
    }

    /// <summary>Rule L2: the indices of <paramref name="levels"/> in visual order, left to right.</summary>
    public static int[] VisualOrder(ReadOnlySpan<byte> levels)
    {
        var order = new int[levels.Length];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;
        if (levels.IsEmpty)
            return order;
        byte highest = 0, lowestOdd = byte.MaxValue;
        foreach (var level in levels)
        {
            highest = Math.Max(highest, level);
            if ((level & 1) == 1)
                lowestOdd = Math.Min(lowestOdd, level);
        }
        for (var level = highest; level >= lowestOdd && level > 0; level--)
        {
            for (var i = 0; i < order.Length; i++)
            {
                if (levels[order[i]] < level)
                    continue;
                var end = i;
                while (end + 1 < order.Length && levels[order[end + 1]] >= level)
                    end++;
                Array.Reverse(order, i, end - i + 1);
                i = end;
            }
        }
        return order;
    }

    private static bool IsRemovedClass(BidiClass type) =>
        type is BidiClass.RLE or BidiClass.LRE or BidiClass.RLO or BidiClass.LRO or BidiClass.PDF or BidiClass.BN;

    private static bool IsIsolateInitiator(BidiClass type) => type is BidiClass.LRI or BidiClass.RLI or BidiClass.FSI;

    // BD9: each isolate initiator's matching PDI, and back.
    private static (int[] Pdi, int[] Initiator) MatchIsolates(BidiClass[] types)
    {
        var pdi = new int[types.Length];
        var initiator = new int[types.Length];
        Array.Fill(pdi, -1);
        Array.Fill(initiator, -1);
        var open = new Stack<int>();
        for (var i = 0; i < types.Length; i++)
        {
            if (IsIsolateInitiator(types[i]))
                open.Push(i);
            else if (types[i] == BidiClass.PDI && open.Count > 0)
            {
                var start = open.Pop();
                pdi[start] = i;
                initiator[i] = start;
            }
            else if (types[i] == BidiClass.B)
                open.Clear();
        }
        return (pdi, initiator);
    }

    // P2–P3 over [start, end): 0 or 1 from the first strong character outside isolates, null when there is none.
    private byte? FirstStrongLevel(int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            switch (_original[i])
            {
                case BidiClass.L:
                    return 0;
                case BidiClass.R or BidiClass.AL:
                    return 1;
                case BidiClass.B:
                    return null;
                case BidiClass.LRI or BidiClass.RLI or BidiClass.FSI:
                    if (_matchingPdi[i] < 0)
                        return null;
                    i = _matchingPdi[i];
                    break;
            }
        }
        return null;
    }

    private readonly record struct Status(byte Level, BidiClass? Override, bool Isolate);

    // X1–X8.
    private void ResolveExplicit()
    {
        var stack = new Stack<Status>();
        stack.Push(new Status(ParagraphLevel, null, false));
        int overflowIsolates = 0, overflowEmbeddings = 0, validIsolates = 0;
        for (var i = 0; i < _types.Length; i++)
        {
            var type = _types[i];
            switch (type)
            {
                case BidiClass.RLE or BidiClass.LRE or BidiClass.RLO or BidiClass.LRO:
                {
                    var rtl = type is BidiClass.RLE or BidiClass.RLO;
                    var level = NextLevel(stack.Peek().Level, rtl);
                    if (level <= MaxDepth && overflowIsolates == 0 && overflowEmbeddings == 0)
                    {
                        BidiClass? direction = type switch { BidiClass.RLO => BidiClass.R, BidiClass.LRO => BidiClass.L, _ => null };
                        stack.Push(new Status(level, direction, false));
                    }
                    else if (overflowIsolates == 0)
                        overflowEmbeddings++;
                    _levels[i] = stack.Peek().Level;
                    break;
                }
                case BidiClass.RLI or BidiClass.LRI or BidiClass.FSI:
                {
                    var top = stack.Peek();
                    _levels[i] = top.Level;
                    if (top.Override is { } forced)
                        _types[i] = forced;
                    var rtl = type == BidiClass.RLI
                        || (type == BidiClass.FSI && FirstStrongLevel(i + 1, _matchingPdi[i] < 0 ? _types.Length : _matchingPdi[i]) == 1);
                    var level = NextLevel(top.Level, rtl);
                    if (level <= MaxDepth && overflowIsolates == 0 && overflowEmbeddings == 0)
                    {
                        validIsolates++;
                        stack.Push(new Status(level, null, true));
                    }
                    else
                        overflowIsolates++;
                    break;
                }
                case BidiClass.PDI:
                    if (overflowIsolates > 0)
                        overflowIsolates--;
                    else if (validIsolates > 0)
                    {
                        overflowEmbeddings = 0;
                        while (!stack.Peek().Isolate)
                            stack.Pop();
                        stack.Pop();
                        validIsolates--;
                    }
                    _levels[i] = stack.Peek().Level;
                    if (stack.Peek().Override is { } pdiForced)
                        _types[i] = pdiForced;
                    break;
                case BidiClass.PDF:
                    if (overflowIsolates > 0)
                    {
                    }
                    else if (overflowEmbeddings > 0)
                        overflowEmbeddings--;
                    else if (!stack.Peek().Isolate && stack.Count >= 2)
                        stack.Pop();
                    _levels[i] = stack.Peek().Level;
                    break;
                case BidiClass.B:
                    _levels[i] = ParagraphLevel;
                    break;
                case BidiClass.BN:
                    _levels[i] = stack.Peek().Level;
                    break;
                default:
                    _levels[i] = stack.Peek().Level;
                    if (stack.Peek().Override is { } charForced)
                        _types[i] = charForced;
                    break;
            }
        }
    }

    private static byte NextLevel(byte level, bool odd) =>
        (byte)(odd ? (level + 1) | 1 : (level + 2) & ~1);

    // X10 (BD13): level runs of the characters X9 keeps, chained across isolate initiators and their matching PDIs.
    private List<int[]> IsolatingRunSequences()
    {
        var runs = new List<List<int>>();
        List<int>? current = null;
        var currentLevel = -1;
        for (var i = 0; i < _types.Length; i++)
        {
            if (IsRemoved(i))
                continue;
            if (current is null || _levels[i] != currentLevel)
            {
                current = [];
                runs.Add(current);
                currentLevel = _levels[i];
            }
            current.Add(i);
        }

        // A run that starts with the PDI matching the initiator that ends another run continues that run's sequence.
        var runStartingAt = new Dictionary<int, List<int>>();
        foreach (var run in runs)
            runStartingAt[run[0]] = run;
        var continuation = new Dictionary<List<int>, List<int>>(ReferenceEqualityComparer.Instance);
        foreach (var run in runs)
        {
            var last = run[^1];
            if (IsIsolateInitiator(_original[last]) && _matchingPdi[last] >= 0 && runStartingAt.TryGetValue(_matchingPdi[last], out var next))
                continuation[run] = next;
        }
        var continued = new HashSet<List<int>>(continuation.Values, ReferenceEqualityComparer.Instance);
        var sequences = new List<int[]>();
        foreach (var run in runs)
        {
            if (continued.Contains(run))
                continue;
            var sequence = new List<int>(run);
            for (var at = run; continuation.TryGetValue(at, out var next); at = next)
                sequence.AddRange(next);
            sequences.Add([.. sequence]);
        }
        return sequences;
    }

    private void ResolveSequence(int[] sequence, byte[] embedding)
    {
        var level = embedding[sequence[0]];
        var first = sequence[0];
        var last = sequence[^1];
        var before = PreviousKept(first);
        var after = IsIsolateInitiator(_original[last]) ? -1 : NextKept(last);
        var sos = DirectionOf(Math.Max(level, before < 0 ? ParagraphLevel : embedding[before]));
        var eos = DirectionOf(Math.Max(level, after < 0 ? ParagraphLevel : embedding[after]));
        var types = new BidiClass[sequence.Length];
        for (var k = 0; k < sequence.Length; k++)
            types[k] = _types[sequence[k]];

        ResolveWeak(types, sos);
        ResolveBrackets(sequence, types, sos, level);
        ResolveNeutrals(types, sos, eos, level);

        for (var k = 0; k < sequence.Length; k++)
        {
            var i = sequence[k];
            _types[i] = types[k];
            _levels[i] = (level & 1, types[k]) switch
            {
                (0, BidiClass.R) => (byte)(level + 1),
                (0, BidiClass.AN or BidiClass.EN) => (byte)(level + 2),
                (1, BidiClass.L or BidiClass.EN or BidiClass.AN) => (byte)(level + 1),
                _ => level,
            };
        }
    }

    private int PreviousKept(int i)
    {
        for (i--; i >= 0; i--)
        {
            if (!IsRemoved(i))
                return i;
        }
        return -1;
    }

    private int NextKept(int i)
    {
        for (i++; i < _types.Length; i++)
        {
            if (!IsRemoved(i))
                return i;
        }
        return -1;
    }

    private static BidiClass DirectionOf(int level) => (level & 1) == 1 ? BidiClass.R : BidiClass.L;

    // W1–W7.
    private static void ResolveWeak(BidiClass[] types, BidiClass sos)
    {
        // W1: a nonspacing mark takes the type before it (ON after an isolate initiator or PDI, sos at the start).
        for (var k = 0; k < types.Length; k++)
        {
            if (types[k] != BidiClass.NSM)
                continue;
            types[k] = k == 0 ? sos : types[k - 1] is BidiClass.LRI or BidiClass.RLI or BidiClass.FSI or BidiClass.PDI ? BidiClass.ON : types[k - 1];
        }
        // W2, W3: European numbers after Arabic letters are Arabic numbers; then Arabic letters are R.
        var strong = sos;
        for (var k = 0; k < types.Length; k++)
        {
            if (types[k] is BidiClass.L or BidiClass.R or BidiClass.AL)
                strong = types[k];
            else if (types[k] == BidiClass.EN && strong == BidiClass.AL)
                types[k] = BidiClass.AN;
        }
        for (var k = 0; k < types.Length; k++)
        {
            if (types[k] == BidiClass.AL)
                types[k] = BidiClass.R;
        }
        // W4: one separator between two numbers of the same kind joins them.
        for (var k = 1; k + 1 < types.Length; k++)
        {
            var (previous, next) = (types[k - 1], types[k + 1]);
            if (types[k] == BidiClass.ES && previous == BidiClass.EN && next == BidiClass.EN)
                types[k] = BidiClass.EN;
            else if (types[k] == BidiClass.CS && previous == next && previous is BidiClass.EN or BidiClass.AN)
                types[k] = previous;
        }
        // W5: terminators next to European numbers become European numbers.
        for (var k = 0; k < types.Length; k++)
        {
            if (types[k] != BidiClass.ET)
                continue;
            var end = k;
            while (end < types.Length && types[end] == BidiClass.ET)
                end++;
            var touchesNumber = (k > 0 && types[k - 1] == BidiClass.EN) || (end < types.Length && types[end] == BidiClass.EN);
            if (touchesNumber)
                Array.Fill(types, BidiClass.EN, k, end - k);
            k = end - 1;
        }
        // W6: other separators and terminators are neutral.
        for (var k = 0; k < types.Length; k++)
        {
            if (types[k] is BidiClass.ES or BidiClass.ET or BidiClass.CS)
                types[k] = BidiClass.ON;
        }
        // W7: European numbers in left-to-right context are L.
        strong = sos;
        for (var k = 0; k < types.Length; k++)
        {
            if (types[k] is BidiClass.L or BidiClass.R)
                strong = types[k];
            else if (types[k] == BidiClass.EN && strong == BidiClass.L)
                types[k] = BidiClass.L;
        }
    }

    // N0: paired brackets (BD16) take the direction of what they enclose, or of their context.
    private void ResolveBrackets(int[] sequence, BidiClass[] types, BidiClass sos, byte level)
    {
        var pairs = new List<(int Open, int Close)>();
        var open = new List<(int Closing, int At)>();
        for (var k = 0; k < sequence.Length; k++)
        {
            if (types[k] != BidiClass.ON || !UnicodeBidiData.IsBracket(_codePoints[sequence[k]], out var pair, out var opening))
                continue;
            var codePoint = Canonical(_codePoints[sequence[k]]);
            if (opening)
            {
                if (open.Count == MaxBracketPairs)
                    break;
                open.Add((Canonical(pair), k));
                continue;
            }
            for (var s = open.Count - 1; s >= 0; s--)
            {
                if (open[s].Closing != codePoint)
                    continue;
                pairs.Add((open[s].At, k));
                open.RemoveRange(s, open.Count - s);
                break;
            }
        }
        pairs.Sort((a, b) => a.Open.CompareTo(b.Open));

        var embedding = DirectionOf(level);
        foreach (var (openAt, closeAt) in pairs)
        {
            BidiClass? found = null;
            for (var k = openAt + 1; k < closeAt; k++)
            {
                var strong = StrongOf(types[k]);
                if (strong is null)
                    continue;
                found = strong;
                if (strong == embedding)
                    break;
            }
            if (found is null)
                continue;
            var direction = embedding;
            if (found != embedding)
            {
                var context = sos;
                for (var k = openAt - 1; k >= 0; k--)
                {
                    if (StrongOf(types[k]) is { } strong)
                    {
                        context = strong;
                        break;
                    }
                }
                direction = context == found ? found.Value : embedding;
            }
            SetBracket(sequence, types, openAt, direction);
            SetBracket(sequence, types, closeAt, direction);
        }
    }

    // A bracket changed by N0, and the nonspacing marks that followed it originally, take the new direction.
    private void SetBracket(int[] sequence, BidiClass[] types, int at, BidiClass direction)
    {
        types[at] = direction;
        for (var k = at + 1; k < sequence.Length && _original[sequence[k]] == BidiClass.NSM; k++)
            types[k] = direction;
    }

    private static BidiClass? StrongOf(BidiClass type) => type switch
    {
        BidiClass.L => BidiClass.L,
        BidiClass.R or BidiClass.EN or BidiClass.AN => BidiClass.R,
        _ => null,
    };

    // U+2329/U+232A and U+3008/U+3009 are canonically equivalent brackets.
    private static int Canonical(int codePoint) => codePoint switch
    {
        0x2329 => 0x3008,
        0x232A => 0x3009,
        _ => codePoint,
    };

    // N1–N2: runs of neutrals take the direction around them when both sides agree, else the embedding direction.
    private static void ResolveNeutrals(BidiClass[] types, BidiClass sos, BidiClass eos, byte level)
    {
        var embedding = DirectionOf(level);
        for (var k = 0; k < types.Length; k++)
        {
            if (!IsNeutral(types[k]))
                continue;
            var end = k;
            while (end < types.Length && IsNeutral(types[end]))
                end++;
            var before = k == 0 ? sos : StrongOf(types[k - 1]) ?? embedding;
            var after = end == types.Length ? eos : StrongOf(types[end]) ?? embedding;
            Array.Fill(types, before == after ? before : embedding, k, end - k);
            k = end - 1;
        }
    }

    private static bool IsNeutral(BidiClass type) =>
        type is BidiClass.B or BidiClass.S or BidiClass.WS or BidiClass.ON or BidiClass.LRI or BidiClass.RLI or BidiClass.FSI or BidiClass.PDI;
}
