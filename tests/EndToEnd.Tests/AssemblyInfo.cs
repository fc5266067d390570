// The integration collections share two cores with the services they host; running them one at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
