<?xml version="1.0" encoding="UTF-8"?>
<psc:chapters version="1.2" xmlns:psc="http://podlove.org/simple-chapters">
  <psc:chapter start="00:00:00.000" title="Intro"/>
  <psc:chapter start="1:05:12.5" title="Late &amp; great" href="https://example.com/"/>
  <psc:chapter start="5:00" title="Middle"/>
</psc:chapters>
