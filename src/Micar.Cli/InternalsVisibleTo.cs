using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Micar.Core.Tests")]
