// placeholder: the linkage engine lands here
