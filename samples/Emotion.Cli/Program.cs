using Emotion.Cli;

return await EmotionCli.RunAsync(args);
