Console.WriteLine($"micar (libtorch {Micar.Torch.Torch.Version})");
