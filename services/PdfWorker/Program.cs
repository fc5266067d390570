using Sts.PdfWorker;
using Sts.Shared.Hosting;

var app = PdfWorkerHost.Create(args);
return await app.RunServiceAsync();
