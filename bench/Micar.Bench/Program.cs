Console.WriteLine("micar bench");
