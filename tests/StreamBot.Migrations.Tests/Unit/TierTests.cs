using System.Reflection;

namespace StreamBot.Migrations.Tests.Unit;

/// <summary>A test's folder says its tier, its trait says the same, and a unit test never asks for a server.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class TierTests
{
    private static readonly IReadOnlyList<Type> TestClasses = typeof(TierTests).Assembly.GetTypes()
        .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
        .ToList();

    [Fact]
    public void Every_test_class_has_the_tier_of_its_folder()
    {
        var wrong = TestClasses
            .Select(t => (Type: t, Folder: FolderTier(t)))
            .Where(c => TierOf(c.Type) != c.Folder)
            .Select(c => $"{c.Type.FullName}: trait {TierOf(c.Type) ?? "none"}, folder {c.Folder}")
            .ToList();
        Assert.Empty(wrong);
        Assert.True(TestClasses.Count(t => TierOf(t) == Tier.Unit) >= 20, "the unit tier lost its classes");
    }

    [Fact]
    public void No_unit_test_takes_the_database_server()
    {
        var needy = TestClasses.Where(t => TierOf(t) == Tier.Unit)
            .Where(t => t.GetConstructors().SelectMany(c => c.GetParameters()).Any(p => p.ParameterType == typeof(TestPostgres))
                || t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericArguments().Contains(typeof(TestPostgres)))
                || t.GetCustomAttributes<CollectionAttribute>().Any())
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(needy);
    }

    // The trait's value as xUnit discovers it: [Trait(Tier.Name, value)] is read from the attribute's constructor.
    private static string? TierOf(Type type) => type.GetCustomAttributesData()
        .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == Tier.Name)
        .Select(a => (string?)a.ConstructorArguments[1].Value)
        .SingleOrDefault();

    // StreamBot.Migrations.Tests.Unit.Sql -> Unit; StreamBot.Migrations.Tests.Database -> Database.
    private static string FolderTier(Type type) => type.Namespace!.Split('.') is [_, _, _, var tier, ..] ? tier : "(root)";
}
