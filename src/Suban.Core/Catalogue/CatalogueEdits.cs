namespace Suban.Core.Catalogue;

/// <summary>One change an editor makes to the responsibility list. Codes are identities: they never change.</summary>
public abstract record CatalogueEdit(string Code)
{
    public sealed record Add(Matter Matter) : CatalogueEdit(Matter.Code);

    /// <summary>Replace a matter's units, limits, wording or examples; its code stays.</summary>
    public sealed record Update(Matter Matter) : CatalogueEdit(Matter.Code);

    public sealed record Rename(string MatterCode, string Name) : CatalogueEdit(MatterCode);

    public sealed record Move(string MatterCode, string Category, string SubCategory) : CatalogueEdit(MatterCode);

    /// <summary>The matter is retired and requests for it go to <paramref name="Into"/> from now on.</summary>
    public sealed record Merge(string MatterCode, string Into) : CatalogueEdit(MatterCode);

    public sealed record Retire(string MatterCode) : CatalogueEdit(MatterCode);
}

public sealed record EditError(int Index, string Field, string Message);

/// <summary>One version of the list, immutable: edits make the next one.</summary>
public sealed class CatalogueSnapshot
{
    private readonly Dictionary<string, Matter> byCode;

    public CatalogueSnapshot(IEnumerable<Matter> matters)
    {
        Matters = matters.OrderBy(m => m.Code, StringComparer.Ordinal).ToList();
        byCode = Matters.ToDictionary(m => m.Code);
    }

    public IReadOnlyList<Matter> Matters { get; }

    public IEnumerable<Matter> Active => Matters.Where(m => !m.Retired);

    public Matter? this[string code] => byCode.GetValueOrDefault(code);

    /// <summary>The matter a request for <paramref name="code"/> belongs to now: merges are followed, retired ones end.</summary>
    public Matter? Current(string code)
    {
        var seen = new HashSet<string>();
        var matter = this[code];
        while (matter is { Retired: true, MergedInto: { } into } && seen.Add(matter.Code))
        {
            matter = this[into];
        }

        return matter is { Retired: false } ? matter : null;
    }

    public (CatalogueSnapshot? Next, IReadOnlyList<EditError> Errors) Apply(IReadOnlyList<CatalogueEdit> edits)
    {
        var working = new Dictionary<string, Matter>(byCode);
        var errors = new List<EditError>();
        for (var i = 0; i < edits.Count; i++)
        {
            var edit = edits[i];
            working.TryGetValue(edit.Code, out var existing);
            if (edit is not CatalogueEdit.Add && existing is null)
            {
                errors.Add(new EditError(i, "code", $"No matter has the code '{edit.Code}'."));
                continue;
            }

            switch (edit)
            {
                case CatalogueEdit.Add add:
                    if (existing is not null)
                    {
                        errors.Add(new EditError(i, "code", $"'{add.Code}' exists already; codes are never reused."));
                    }
                    else if (Validate(add.Matter, i, errors))
                    {
                        working[add.Code] = add.Matter with { Retired = false, MergedInto = null };
                    }

                    break;
                case CatalogueEdit.Update update:
                    if (Validate(update.Matter, i, errors))
                    {
                        working[update.Code] = update.Matter with { Retired = existing!.Retired, MergedInto = existing.MergedInto };
                    }

                    break;
                case CatalogueEdit.Rename rename when string.IsNullOrWhiteSpace(rename.Name) || rename.Name.Length > 100:
                    errors.Add(new EditError(i, "name", "A name of 1 to 100 characters."));
                    break;
                case CatalogueEdit.Rename rename:
                    working[rename.Code] = existing! with { Name = rename.Name.Trim() };
                    break;
                case CatalogueEdit.Move move when string.IsNullOrWhiteSpace(move.Category) || string.IsNullOrWhiteSpace(move.SubCategory):
                    errors.Add(new EditError(i, "subCategory", "Name the category and sub-category to move to."));
                    break;
                case CatalogueEdit.Move move:
                    working[move.Code] = existing! with { Category = move.Category.Trim(), SubCategory = move.SubCategory.Trim() };
                    break;
                case CatalogueEdit.Merge merge when merge.Into == merge.Code || !working.TryGetValue(merge.Into, out var target) || target.Retired:
                    errors.Add(new EditError(i, "into", "Merge into another matter that is in force."));
                    break;
                case CatalogueEdit.Merge merge:
                    working[merge.Code] = existing! with { Retired = true, MergedInto = merge.Into };
                    break;
                case CatalogueEdit.Retire:
                    working[edit.Code] = existing! with { Retired = true, MergedInto = null };
                    break;
            }
        }

        return errors.Count > 0 ? (null, errors) : (new CatalogueSnapshot(working.Values), errors);
    }

    public static bool Validate(Matter matter, int index, List<EditError> errors)
    {
        var before = errors.Count;
        void Add(string field, string message) => errors.Add(new EditError(index, field, message));

        if (!Matter.IsWellFormedCode(matter.Code))
        {
            Add("code", "A code looks like 09.03.012 (category, sub-category, matter).");
        }

        if (string.IsNullOrWhiteSpace(matter.Name) || matter.Name.Length > 100)
        {
            Add("name", "A name of 1 to 100 characters.");
        }

        if (string.IsNullOrWhiteSpace(matter.Category) || string.IsNullOrWhiteSpace(matter.SubCategory))
        {
            Add("category", "Category and sub-category are required.");
        }

        if (matter.LeadLevel == Level.City && matter.CityUnit is null)
        {
            Add("cityUnit", "A matter led at city level names its city department.");
        }

        var limits = new[] { matter.Limits.Consultation, matter.Limits.Complaint, matter.Limits.Suggestion, matter.Limits.Help };
        if (limits.Any(l => l is < 1 or > 365))
        {
            Add("limits", "Time limits are 1 to 365 working days.");
        }

        if (matter.Examples.Any(e => e.Contains('\n')) || matter.Keywords.Any(k => k.Contains('\n') || k.Length == 0))
        {
            Add("examples", "Keywords and examples are single lines.");
        }

        return errors.Count == before;
    }
}
