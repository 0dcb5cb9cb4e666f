"""Every state change of ID-count applications (manual ch. 7), one module
per sub-domain; the domain exception is ``errors.IdChangeError``."""
