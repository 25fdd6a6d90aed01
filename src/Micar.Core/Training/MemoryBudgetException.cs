namespace Micar.Training;

/// <summary>Raised before a run allocates anything when its estimated memory (<see cref="TrainingMemory"/>) exceeds what
/// the machine has available (<see cref="AvailableMemory"/>).</summary>
public sealed class MemoryBudgetException(string message) : Exception(message);
