/// Non-destructive updates of C# records with init-only properties (C#'s <c>x with { P = v }</c>), which F#
/// cannot write directly: the record's compiler-generated clone method copies every field, then one property is set.
module internal Micar.FSharp.RecordCopy

open System
open System.Collections.Concurrent
open System.Reflection
open Microsoft.FSharp.Quotations.Patterns

let private cloneMethods = ConcurrentDictionary<Type, MethodInfo>()

/// A shallow copy of a C# record (every field, including ones added to the record later).
let clone (x: 'T) : 'T =
    if isNull (box x) then nullArg "x"
    let t = x.GetType()
    let m =
        cloneMethods.GetOrAdd(t, fun t ->
            match t.GetMethod("<Clone>$", BindingFlags.Public ||| BindingFlags.Instance) with
            | null -> invalidArg "x" $"{t.Name} is not a C# record (it has no clone method)"
            | m -> m)
    m.Invoke(x, [||]) :?> 'T

/// A copy of <paramref name="x"/> with the property that <paramref name="property"/> reads
/// (a quotation such as <c>&lt;@ fun (s: ModelSpec) -> s.DModel @&gt;</c>) set to <paramref name="value"/>.
let set (property: Quotations.Expr<'T -> 'P>) (value: 'P) (x: 'T) : 'T =
    match property with
    | Lambda(v, PropertyGet(Some(Var v'), pi, [])) when v = v' && pi.CanWrite ->
        let copy = clone x
        pi.SetValue(copy, box value)
        copy
    | _ -> invalidArg "property" $"expected a quotation reading one settable property, got {property}"
