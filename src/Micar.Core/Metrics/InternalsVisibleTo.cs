using System.Runtime.CompilerServices;

// The metric tests check the numpy and Python-string ports (internal) against fixtures from the real libraries.
[assembly: InternalsVisibleTo("Micar.Core.Tests")]
