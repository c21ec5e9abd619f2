String log = new File(basedir, 'build.log').text
assert log.contains("listenerName '9Bad-Name' is not a Java type name") : 'no message naming the bad listenerName'
assert log.contains('BUILD FAILURE')
assert !new File(basedir, 'bad-name-listener').exists() : 'a broken project was left behind'
true
