using Sts.PdfWorker;

var app = PdfWorkerHost.Create(args);
await app.RunAsync();
