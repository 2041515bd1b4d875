using System.Runtime.CompilerServices;

// The model store's hash counter (ModelStore.HashCount) is checked by the tests.
[assembly: InternalsVisibleTo("MynaTerminal.Face.Tests")]
